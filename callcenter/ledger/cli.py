"""``callcenter ledger show|export``: the 电话回访登记台账."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter.ledger.forms.choose import Forms
from callcenter.ledger.store import LedgerReader
from callcenter.ledger.taizhang import COLUMNS, TaizhangRow

app = typer.Typer(help="The 电话回访登记台账 (附件2).")

UnitOption = Annotated[
    str | None, typer.Option(help="one unit's 台账, its 所 and 窗口 included (e.g. a 局's)")
]


def table(rows: list[TaizhangRow], title: str) -> Table:
    t = Table(title=title, show_lines=True)
    for col in COLUMNS:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*row.as_tuple())
    return t


@app.command()
def show(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(help="YYYY-MM")] = None,
    unit: UnitOption = None,
) -> None:
    """Print the ledger (all months, or one; every unit, or one)."""
    with ctx.obj.open_sessions() as sessions:
        rows = LedgerReader(sessions).taizhang(month, unit)
    title = " ".join(p for p in ("电话回访登记台账", unit, month) if p)
    Console().print(table(rows, title))


@app.command()
def export(
    ctx: typer.Context,
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    output: Annotated[Path, typer.Option("--output", "-o", help="the .xlsx file to write")],
    unit: UnitOption = None,
) -> None:
    """Write one month of the ledger to an Excel file, in the form of the calls' profile
    (附件2 columns for 义马; 附表1, 问卷统计, 好差评清单 for 信阳, 许昌, 烟台)."""
    settings = ctx.obj.settings
    forms = Forms.load(settings.profiles_dir, settings.profile, settings.script.parent)
    with ctx.obj.open_sessions() as sessions:
        records = LedgerReader(sessions).calls(month, unit)
    _, form = forms.write(records, output)
    rows = f"{len(records)} rows" if form == "附件2" else f"{len(records)} calls, form {form}"
    typer.echo(f"{output}: {rows} for {month}{f' ({unit})' if unit else ''}")
