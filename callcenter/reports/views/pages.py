"""The report pages: 考核评分 (第十五条, 第十六条), 月度回访通报 (义马), 满意度评价通报
(烟台); each printable (the 通报), as PDF (the same page printed by headless Chromium)
and as XLSX; and the entry of 第十五条's deductions."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web
from markupsafe import Markup

from callcenter.access import security
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.errors import ReportError
from callcenter.reports import figures, sheets
from callcenter.reports.export import export_xlsx
from callcenter.reports.pdf import print_pdf
from callcenter.reports.period import Period, parse_period
from callcenter.reports.scoring import Deduction, DeductionKind
from callcenter.reports.service import ReportService
from callcenter.reports.sheets import Table
from callcenter.reports.views import keys
from callcenter.web import keys as web_keys
from callcenter.web.templating import STATIC_DIR, render

routes = web.RouteTableDef()

KINDS = {"kpi": "考核评分", "monthly": "月度回访通报", "grades": "满意度评价通报"}
_KIND = "{kind:kpi|monthly|grades}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_CSS = STATIC_DIR / "report.css"
MAX_TEXT = 100


@dataclass(frozen=True)
class Built:
    kind: str
    period: Period
    unit: str | None
    tables: list[Table]
    charts: list[Markup]

    @property
    def title(self) -> str:
        return KINDS[self.kind]


def build(service: ReportService, kind: str, period: Period, unit: str | None) -> Built:
    if kind == "kpi":
        kpi = service.kpi(period, unit)
        trend = service.trend(period, unit)
        tables = [*sheets.kpi_tables(kpi), sheets.deduction_table(service.deduction_log(period))]
        return Built(kind, period, unit, tables, figures.kpi_charts(kpi, trend))
    if kind == "monthly":
        monthly = service.monthly(period, unit)
        return Built(
            kind, period, unit, sheets.monthly_tables(monthly), figures.monthly_charts(monthly)
        )
    grades = service.grades(period, unit)
    return Built(kind, period, unit, sheets.grade_tables(grades), figures.grade_charts(grades))


def default_period(service: ReportService) -> str:
    """Last month: each month's calls are of the month before (义马)."""
    today = service.clock.now().astimezone(BEIJING).date()
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


async def _built(request: web.Request) -> tuple[Built | None, dict[str, str], list[str]]:
    service = request.app[keys.SERVICE]
    kind = request.match_info["kind"]
    params = {
        "period": request.query.get("period", "").strip()[:MAX_TEXT] or default_period(service),
        "unit": request.query.get("unit", "").strip()[:MAX_TEXT],
    }
    try:
        period = parse_period(params["period"])
        built = await asyncio.to_thread(build, service, kind, period, params["unit"] or None)
    except ReportError as exc:
        return None, params, [str(exc)]
    return built, params, []


def _links(kind: str, params: dict[str, str]) -> dict[str, str]:
    query = urlencode({k: v for k, v in params.items() if v})
    return {
        "print": f"/reports/{kind}/print?{query}",
        "pdf": f"/reports/{kind}/pdf?{query}",
        "drill": "/reports/drill?",
    }


@routes.get("/reports", name="reports")
@requires(Permission.VIEW_REPORTS)
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/reports/kpi")


@routes.get(f"/reports/{_KIND}", name="report")
@requires(Permission.VIEW_REPORTS)
async def report(request: web.Request) -> web.StreamResponse:
    built, params, errors = await _built(request)
    kind = request.match_info["kind"]
    units = await asyncio.to_thread(request.app[keys.SERVICE].unit_names)
    return render(
        request,
        "report.html",
        {
            "kind": kind,
            "kinds": KINDS,
            "built": built,
            "params": params,
            "errors": errors,
            "units": units,
            "links": _links(kind, params),
            "deduction_kinds": [(k.value, k.label, k.points) for k in DeductionKind],
            "tops": [name for name, child in units if not child],
            "urlencode": urlencode,
        },
        status=400 if errors else 200,
    )


def _print_context(built: Built, generated: str, *, inline: bool) -> dict[str, Any]:
    """The 通报 page; ``inline`` puts its stylesheet in the page, for printing it from a
    file (the served page links it: the pages' CSP allows no inline styles)."""
    query = urlencode(
        {k: v for k, v in (("period", built.period.label), ("unit", built.unit)) if v}
    )
    return {
        "built": built,
        "css": Markup(PRINT_CSS.read_text(encoding="utf-8")) if inline else "",
        "generated": generated,
        "pdf_link": f"/reports/{built.kind}/pdf?{query}",
        "urlencode": urlencode,
    }


@routes.get(f"/reports/{_KIND}/print", name="report_print")
@requires(Permission.VIEW_REPORTS)
async def printable(request: web.Request) -> web.StreamResponse:
    built, _, errors = await _built(request)
    if built is None:
        return _refuse(request, errors[0])
    return render(request, "report_print.html", _print_context(built, _now(request), inline=False))


@routes.get(f"/reports/{_KIND}/pdf", name="report_pdf")
@requires(Permission.VIEW_REPORTS)
async def pdf(request: web.Request) -> web.StreamResponse:
    built, _, errors = await _built(request)
    if built is None:
        return _refuse(request, errors[0])
    page = request.app[web_keys.TEMPLATES].get_template("report_print.html")
    html = page.render(_print_context(built, _now(request), inline=True))
    settings = request.app[keys.SETTINGS]
    try:
        data = await asyncio.to_thread(
            print_pdf, html, settings.chromium, settings.pdf_timeout_seconds
        )
    except ReportError as exc:
        return _refuse(request, str(exc), status=500)
    await security.record(request, "export", detail=_detail(built, "PDF"))
    return _download(data, "application/pdf", f"{_name(built)}.pdf")


# A POST with the CSRF token, as the 台账's export: it is written to the access log.
@routes.post("/reports/export", name="report_export")
@requires(Permission.VIEW_REPORTS)
async def export(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    kind = str(form.get("kind", ""))
    if kind not in KINDS:
        return _refuse(request, "请选择要导出的报表。")
    try:
        period = parse_period(str(form.get("period", "")))
        unit = str(form.get("unit", "")).strip() or None
        built = await asyncio.to_thread(build, request.app[keys.SERVICE], kind, period, unit)
    except ReportError as exc:
        return _refuse(request, str(exc))
    data = await asyncio.to_thread(_xlsx, built.tables)
    await security.record(request, "export", detail=_detail(built, "XLSX"))
    return _download(data, XLSX, f"{_name(built)}.xlsx")


@routes.post("/reports/deductions", name="report_deduct")
@requires(Permission.VIEW_REPORTS)
async def deduct(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    period = str(form.get("period", ""))
    try:
        kind = DeductionKind(str(form.get("kind", "")))
        on = date.fromisoformat(str(form.get("on", "")).strip())
        count = int(str(form.get("count", "1")).strip() or "1")
        deduction = Deduction(kind, count, str(form.get("reason", ""))[:2000])
        viewer = request[web_keys.VIEWER]
        assert viewer.user is not None  # requires() let only a logged-in user in
        await asyncio.to_thread(
            request.app[keys.SERVICE].deduct,
            str(form.get("unit", "")),
            on,
            deduction,
            viewer.user.username,
        )
    except ValueError:
        return _refuse(request, "扣分项、日期（YYYY-MM-DD）或次数填写有误。")
    except ReportError as exc:
        return _refuse(request, str(exc))
    raise web.HTTPSeeOther(f"/reports/kpi?{urlencode({'period': period})}#deductions")


def _xlsx(tables: list[Table]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="callcenter-report-") as tmp:
        return export_xlsx(tables, Path(tmp) / "report.xlsx").read_bytes()


def _name(built: Built) -> str:
    return f"{built.title}-{built.unit or '全部单位'}-{built.period.label}"


def _detail(built: Built, form: str) -> str:
    return f"{built.title} {built.period.label} {built.unit or '全部单位'} {form}"


def _now(request: web.Request) -> str:
    return request.app[keys.SERVICE].clock.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _download(data: bytes, content_type: str, name: str) -> web.Response:
    return web.Response(
        body=data,
        content_type=content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _refuse(request: web.Request, message: str, status: int = 400) -> web.Response:
    return render(
        request, "error.html", {"title": "无法生成报表", "message": message}, status=status
    )
