"""``callcenter report kpi|monthly|grades --period … [--unit …] -o FILE.xlsx``: the 考核
and the 通报 as workbooks; ``callcenter report deduct``: a 第十五条 deduction."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from callcenter.kernel.errors import ReportError
from callcenter.reports import sheets
from callcenter.reports.export import export_xlsx
from callcenter.reports.period import FORMS, parse_period
from callcenter.reports.scoring import Deduction, DeductionKind
from callcenter.reports.service import ReportService
from callcenter.reports.sheets import Table
from callcenter.reports.store import ReportStore

app = typer.Typer(help="考核评分 and 通报: 济宁 第十五条/第十六条, 义马 monthly, 烟台 grades.")

PeriodOption = Annotated[str, typer.Option(help=f"a month, quarter or date range: {FORMS}")]
UnitOption = Annotated[
    str | None, typer.Option(help="one unit, its 所 and 窗口 included (e.g. a 局)")
]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="the .xlsx file to write")]


def _write(ctx: typer.Context, kind: str, period: str, unit: str | None, output: Path) -> None:
    try:
        p = parse_period(period)
        with ctx.obj.open_sessions() as sessions:
            service = ReportService(ReportStore(sessions), ctx.obj.clock)
            tables: list[Table]
            if kind == "kpi":
                log = service.deduction_log(p)
                tables = [*sheets.kpi_tables(service.kpi(p, unit)), sheets.deduction_table(log)]
            elif kind == "monthly":
                tables = sheets.monthly_tables(service.monthly(p, unit))
            else:
                tables = sheets.grade_tables(service.grades(p, unit))
    except ReportError as exc:
        raise typer.BadParameter(str(exc)) from None
    export_xlsx(tables, output)
    summary = ", ".join(f"{t.title} {len(t.rows)} rows" for t in tables)
    typer.echo(f"{output}: {p.title}{f' ({unit})' if unit else ''}: {summary}")


@app.command()
def kpi(
    ctx: typer.Context, period: PeriodOption, output: OutputOption, unit: UnitOption = None
) -> None:
    """第十五条 (counties, ranked) and 第十六条 (windows), with the deductions entered."""
    _write(ctx, "kpi", period, unit, output)


@app.command()
def monthly(
    ctx: typer.Context, period: PeriodOption, output: OutputOption, unit: UnitOption = None
) -> None:
    """义马: calls against each unit's quota, complaint cases, answers, 差评 and 办结."""
    _write(ctx, "monthly", period, unit, output)


@app.command()
def grades(
    ctx: typer.Context, period: PeriodOption, output: OutputOption, unit: UnitOption = None
) -> None:
    """烟台: 满意/基本满意/不满意 by unit, month and quarter; 差评 整改 and re-visits."""
    _write(ctx, "grades", period, unit, output)


@app.command()
def deduct(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option(help="the county (top-level unit)")],
    kind: Annotated[DeductionKind, typer.Option(help="what the deduction is for")],
    on: Annotated[str, typer.Option(help="a day (YYYY-MM-DD) of the quarter it is for")],
    reason: Annotated[str, typer.Option(help="why, as the 通报 will say")],
    by: Annotated[str, typer.Option(help="who enters it")],
    count: Annotated[int, typer.Option(help="findings, for a spot check")] = 1,
) -> None:
    """Enter a 第十五条 deduction (report missing −10, poor −5, each spot-check finding −5)."""
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise typer.BadParameter(f"--on {on!r} is not a date (YYYY-MM-DD)") from None
    try:
        deduction = Deduction(kind, count, reason)
        with ctx.obj.open_sessions() as sessions:
            ReportService(ReportStore(sessions), ctx.obj.clock).deduct(unit, day, deduction, by)
    except ReportError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"{unit}: −{deduction.points} ({kind.label}) on {day}, entered by {by}")
