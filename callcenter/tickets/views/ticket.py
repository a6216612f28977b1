"""One ticket's page: the case and the call, what was unsatisfactory with what the
applicant said, each round, the timeline, and a form for each step the viewer may take
now; and the posts of those forms."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.agents.views import keys as agent_keys
from callcenter.calls.records import AnswerView, AttemptView
from callcenter.kernel.errors import (
    AgentError,
    TicketConflict,
    TicketDenied,
    TicketError,
    TicketNotFound,
)
from callcenter.tickets import scope, wording
from callcenter.tickets.machine import Conclusion, ContactMethod, Kind, accepts
from callcenter.tickets.records import TicketView
from callcenter.tickets.scope import Actor
from callcenter.tickets.service import TicketService
from callcenter.tickets.views import keys
from callcenter.tickets.views._viewer import actor, denied, not_found
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()

_SATISFIED = {"yes": True, "no": False, "unreachable": None}
# a click-to-dial call's ledger id, as the page carries it from the call to the step
_CALL_ID = re.compile(r"c2d-[0-9a-f]{16}")


def _call_id(value: object) -> str | None:
    text = str(value or "")
    return text if _CALL_ID.fullmatch(text) else None


@dataclass(frozen=True)
class Said:
    """One answer that opened the ticket, as the page shows it."""

    label: str
    words: str
    recording_id: int | None


@routes.get(r"/tickets/{number:T\d{4}-\d+}", name="ticket")
@requires(Permission.VIEW_TICKETS)
async def ticket_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@routes.post(r"/tickets/{number:T\d{4}-\d+}/contact", name="ticket_contact")
@requires(Permission.WORK_TICKETS)
async def contact(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    method = next((m for m in ContactMethod if m.value == form.get("method")), None)
    if method is None:
        return await _page(request, error="请选择联系方式。", status=400)
    summary, call = str(form.get("summary", "")), _call_id(form.get("attempt_id"))
    return await _step(request, lambda s, who, n: s.contact(n, who, method, summary, call))


@routes.post(r"/tickets/{number:T\d{4}-\d+}/report", name="ticket_report")
@requires(Permission.WORK_TICKETS)
async def report(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    text = str(form.get("text", ""))
    return await _step(request, lambda s, who, n: s.report(n, who, text))


@routes.post(r"/tickets/{number:T\d{4}-\d+}/verify", name="ticket_verify")
@requires(Permission.VERIFY_TICKETS)
async def verify(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    conclusion = next((c for c in Conclusion if c.value == form.get("conclusion")), None)
    satisfied = str(form.get("satisfied", ""))
    if conclusion is None or satisfied not in _SATISFIED:
        return await _page(request, error="请选择申请人满意情况和核实结论。", status=400)
    text, call = str(form.get("text", "")), _call_id(form.get("attempt_id"))
    return await _step(
        request, lambda s, who, n: s.verify(n, who, _SATISFIED[satisfied], conclusion, text, call)
    )


@routes.post(r"/tickets/{number:T\d{4}-\d+}/call", name="ticket_call")
@requires(Permission.VIEW_TICKETS)
async def call_applicant(request: web.Request) -> web.StreamResponse:
    """Click-to-dial: ring the viewer's own phone, then the applicant; the recorded call
    is attached to the contact or verification the viewer records next."""
    service = request.app[keys.SERVICE]
    who = await actor(request)
    number = request.match_info["number"]
    try:
        t = await asyncio.to_thread(service.ticket, number, who)
    except TicketDenied as exc:
        return await denied(request, exc)
    except TicketNotFound as exc:
        return not_found(request, exc)
    if not {"contact", "verify"} & set(scope.actions(who, t)):
        return await _page(request, error="当前环节不需要您联系申请人。", status=409)
    dialer = request.app.get(agent_keys.CLICK)
    if dialer is None:
        return await _page(request, error="本系统未接通电话，无法点击呼叫。", status=503)
    try:
        placed = await dialer.start(who.username, t.case.id, f"{t.number}")
    except AgentError as exc:
        return await _page(request, error=f"无法呼叫：{exc}", status=409)
    raise web.HTTPSeeOther(f"/tickets/{number}?call={placed.attempt_id}")


async def _step(request: web.Request, act: Any) -> web.StreamResponse:
    """Take a step; back to the ticket's page, with the reason when it was refused."""
    service = request.app[keys.SERVICE]
    who = await actor(request)
    number = request.match_info["number"]
    try:
        await asyncio.to_thread(act, service, who, number)
    except TicketDenied as exc:
        return await denied(request, exc)
    except TicketNotFound as exc:
        return not_found(request, exc)
    except TicketError as exc:
        status = await asyncio.to_thread(_status, service, number, exc)
        return await _page(request, error=str(exc), status=status)
    raise web.HTTPSeeOther(f"/tickets/{number}")


def _status(service: TicketService, number: str, error: TicketError) -> int:
    """409 when the ticket is not (or no longer) where the step fits; 400 for what was typed."""
    if isinstance(error, TicketConflict):
        return 409
    state = service.store.find(number).state
    return 400 if any(e.name == error.event for e in accepts(state)) else 409


async def _page(
    request: web.Request, *, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    who = await actor(request)
    try:
        t = await asyncio.to_thread(service.ticket, request.match_info["number"], who)
    except TicketDenied as exc:
        return await denied(request, exc)
    except TicketNotFound as exc:
        return not_found(request, exc)
    call, events = await asyncio.gather(
        asyncio.to_thread(service.call, t.attempt_id) if t.attempt_id else _none(),
        asyncio.to_thread(service.store.events, t.id),
    )
    line = service.board.line(t, service.clock.now())
    return render(
        request,
        "ticket.html",
        {
            "t": t,
            "line": line,
            "call": call,
            "said": _said(t, call),
            "phone": mask_phone(t.case.phone),
            "events": events,
            "actions": scope.actions(who, t),
            "error": error,
            "methods": list(ContactMethod),
            "conclusions": [
                c
                for c in Conclusion
                if t.kind is Kind.RECTIFICATION or c is not Conclusion.RETURNED
            ],
            "words": _words(t),
            "viewer": who,
            "calling": _call_id(request.query.get("call")),
            **_links(who, call),
        },
        status=status,
    )


async def _none() -> None:
    return None


def _said(t: TicketView, call: AttemptView | None) -> list[Said]:
    if call is None:
        return [Said("评价内容", t.complaint, None)]
    return [_one(a) for a in call.answers if a.question_id in t.question_ids] or [
        Said("不满意内容", t.complaint, None)
    ]


def _one(a: AnswerView) -> Said:
    if a.kind != "recording":
        return Said(a.label, a.value or a.keys or "", None)
    r = a.recording
    words = (r.transcript or "").strip() if r is not None else ""
    return Said(a.label, words or "已录音（待转写）", None if r is None else r.id)


def _words(t: TicketView) -> dict[str, str]:
    return {
        "联系时间": wording.contact(t),
        "整改情况": wording.rectification(t),
        "再回访结果": wording.revisit(t),
        "督查核实结论": wording.verification(t),
    }


def _links(who: Actor, call: AttemptView | None) -> dict[str, Any]:
    """Links to the call's page and recordings, for the roles those pages serve."""
    return {
        "call_link": call is not None and who.can(Permission.VIEW_LEDGER),
        "can_play": call is not None and who.can(Permission.PLAY_RECORDINGS),
    }
