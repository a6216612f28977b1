"""整改工单 lists: every ticket the viewer may see, filtered; the 预警 view of tickets due
soon or overdue; and the month's 整改台账 as XLSX."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from callcenter.access import security
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.kernel.errors import LedgerError
from callcenter.tickets._month import month_bounds
from callcenter.tickets.board import Filters, Line
from callcenter.tickets.deadlines import Urgency
from callcenter.tickets.export import export_xlsx, ledger_rows
from callcenter.tickets.machine import Kind, State
from callcenter.tickets.scope import Actor
from callcenter.tickets.service import TicketService
from callcenter.tickets.views import keys
from callcenter.tickets.views._viewer import actor
from callcenter.web.templating import render

routes = web.RouteTableDef()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100
MAX_TEXT = 100
_URGENCIES = {"warning": Urgency.WARNING, "overdue": Urgency.OVERDUE}


@routes.get("/tickets", name="tickets")
@requires(Permission.VIEW_TICKETS)
async def ticket_list(request: web.Request) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    who = await actor(request)
    params = {k: request.query.get(k, "").strip()[:MAX_TEXT] for k in _PARAMS}
    errors: list[str] = []
    filters = _filters(params, errors)
    lines: list[Line] = []
    units = await asyncio.to_thread(_units, service, who)
    if params["unit"] and params["unit"] not in {name for name, _ in units}:
        errors.append(f"没有可查看的单位“{params['unit']}”。")
    if not errors:
        lines = await asyncio.to_thread(service.board.lines, who, filters, service.clock.now())
    return render(
        request,
        "tickets.html",
        {
            "lines": lines[:PAGE_SIZE],
            "total": len(lines),
            "shown": min(len(lines), PAGE_SIZE),
            "params": params,
            "errors": errors,
            "units": units,
            "states": [(s.value, s.label) for s in State],
            "kinds": [
                (k.value, k.label) for k in Kind if who.sees_misconduct or k is Kind.RECTIFICATION
            ],
            "urgencies": [("warning", "预警"), ("overdue", "超期")],
            "viewer_scoped": who.scoped,
        },
    )


@routes.get("/tickets/warnings", name="ticket_warnings")
@requires(Permission.VIEW_TICKETS)
async def warnings(request: web.Request) -> web.StreamResponse:
    """预警: tickets overdue or due soon, the most overdue first, counted by unit."""
    service = request.app[keys.SERVICE]
    who = await actor(request)
    lines = await asyncio.to_thread(service.board.alerts, who, service.clock.now())
    by_unit: dict[str, list[int]] = {}
    for line in lines:
        counts = by_unit.setdefault(line.ticket.unit, [0, 0])
        counts[0 if line.urgency is Urgency.OVERDUE else 1] += 1
    return render(
        request,
        "ticket_warnings.html",
        {"lines": lines, "by_unit": sorted(by_unit.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))},
    )


# A POST with the CSRF token, as the 台账's export: it is written to the access log.
@routes.post("/tickets/export", name="ticket_export")
@requires(Permission.EXPORT)
async def export(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    month = str(form.get("month", "")).strip()
    unit = str(form.get("unit", "")).strip() or None
    try:
        month_bounds(month)
    except LedgerError:
        return _refuse(request, "请先选择要导出的月份（YYYY-MM）。")
    service = request.app[keys.SERVICE]
    who = await actor(request)
    if not who.can(Permission.VIEW_TICKETS):
        return _refuse(request, "您的角色无权查看整改工单。", status=403)
    data, count = await asyncio.to_thread(_workbook, service, who, month, unit)
    await security.record(
        request, "export", detail=f"整改台账 {month} {unit or '全部单位'}，{count} 条"
    )
    name = f"整改台账-{unit or '全部单位'}-{month}.xlsx"
    return web.Response(
        body=data,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


_PARAMS = ("unit", "state", "kind", "due", "month", "q")


def _filters(params: dict[str, str], errors: list[str]) -> Filters:
    state = next((s for s in State if s.value == params["state"]), None)
    if params["state"] and state is None:
        errors.append("状态无效。")
    kind = next((k for k in Kind if k.value == params["kind"]), None)
    if params["kind"] and kind is None:
        errors.append("工单类型无效。")
    urgency = _URGENCIES.get(params["due"])
    if params["due"] and urgency is None:
        errors.append("期限筛选只能是预警或超期。")
    month = params["month"] or None
    if month is not None:
        try:
            month_bounds(month)
        except LedgerError:
            errors.append("月份应为 YYYY-MM。")
    return Filters(
        unit=params["unit"] or None,
        state=state,
        kind=kind,
        urgency=urgency,
        month=month,
        text=params["q"],
    )


def _units(service: TicketService, who: Actor) -> list[tuple[str, bool]]:
    """(name, is under another unit) of the units the viewer may filter by."""
    return [
        (name, parent is not None)
        for unit_id, name, parent in service.units.all()
        if not who.scoped or unit_id in who.units
    ]


def _workbook(
    service: TicketService, who: Actor, month: str, unit: str | None
) -> tuple[bytes, int]:
    now = service.clock.now()
    tickets = [
        line.ticket for line in service.board.lines(who, Filters(unit=unit, month=month), now)
    ]
    rows = ledger_rows(tickets, service.call, now)
    with tempfile.TemporaryDirectory(prefix="callcenter-tickets-") as tmp:
        return export_xlsx(rows, Path(tmp) / "tickets.xlsx").read_bytes(), len(rows)


def _refuse(request: web.Request, message: str, status: int = 400) -> web.Response:
    return render(request, "error.html", {"title": "无法导出", "message": message}, status=status)
