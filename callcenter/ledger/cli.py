"""``callcenter ledger show|export``: the 电话回访登记台账."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter import bootstrap
from callcenter.ledger.export import export_xlsx
from callcenter.ledger.taizhang import COLUMNS, TaizhangRow

app = typer.Typer(help="The 电话回访登记台账 (附件2).")


def table(rows: list[TaizhangRow], title: str) -> Table:
    t = Table(title=title, show_lines=True)
    for col in COLUMNS:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*row.as_tuple())
    return t


@app.command()
def show(
    ctx: typer.Context, month: Annotated[str | None, typer.Option(help="YYYY-MM")] = None
) -> None:
    """Print the ledger (all months, or one)."""
    with bootstrap.open_ledger(ctx.obj.settings) as ledger:
        rows = ledger.taizhang(month)
    Console().print(table(rows, f"电话回访登记台账 {month or ''}".strip()))


@app.command()
def export(
    ctx: typer.Context,
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    output: Annotated[Path, typer.Option("--output", "-o", help="the .xlsx file to write")],
) -> None:
    """Write one month of the ledger to an Excel file with the 附件2 columns."""
    with bootstrap.open_ledger(ctx.obj.settings) as ledger:
        rows = ledger.taizhang(month)
    export_xlsx(rows, output)
    typer.echo(f"{output}: {len(rows)} rows for {month}")
