"""``callcenter import FILE``: completed cases from the business system's export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from callcenter.cases.importer import ImportReport, import_cases
from callcenter.cases.store import CaseImport

SHOWN_REJECTS = 30


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK) or XLSX export of 办结事项")],
    bureau: Annotated[
        str | None,
        typer.Option(help="bureau of rows without a 所属单位 column (default: calling_unit)"),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="write every rejected row (row, reason) to this CSV")
    ] = None,
) -> None:
    """Import completed cases; bad rows are listed by row number and left out.

    Columns (any of the names; * required): *办件编号, *办理窗口 (窗口/所), 单位类型,
    所属单位, *办理事项, *申请人, 称谓, 企业名称, *联系电话, *办结日期, 是否投诉.
    Importing the same file again adds nothing.
    """
    settings = ctx.obj.settings
    with ctx.obj.open_ledger() as ledger:
        result = import_cases(
            file, CaseImport(ledger.sessions, clock=ctx.obj.clock), bureau or settings.calling_unit
        )
    print_report(result)
    if report is not None:
        with report.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(["行号", "原因"])
            w.writerows((r.row, r.reason) for r in result.rejected)
        typer.echo(f"rejected rows written to {report}")


def print_report(r: ImportReport) -> None:
    typer.echo(
        f"{r.path} ({r.encoding}): {r.rows} rows, {r.imported} imported, "
        f"{r.already_present} already in the ledger, {len(r.rejected)} rejected"
    )
    for bad in r.rejected[:SHOWN_REJECTS]:
        typer.echo(f"  row {bad.row}: {bad.reason}")
    if len(r.rejected) > SHOWN_REJECTS:
        typer.echo(f"  … and {len(r.rejected) - SHOWN_REJECTS} more (use --report FILE)")
