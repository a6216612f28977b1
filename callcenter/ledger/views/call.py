"""One call's page: the case, the timeline, the answers, transcripts and recordings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from callcenter.access import keys as access_keys
from callcenter.access import security
from callcenter.access.permissions import Permission, allowed
from callcenter.access.security import requires
from callcenter.calls import keys as call_keys
from callcenter.calls.integrity import RecordingCheck
from callcenter.calls.records import AttemptView, RecordingView
from callcenter.ledger.record import CallRecord
from callcenter.ledger.views import _labels as labels
from callcenter.ledger.views import keys
from callcenter.ledger.views._takeovers import takeover_context
from callcenter.ledger.views._timeline import timeline
from callcenter.web import keys as web_keys
from callcenter.web import params
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()


@dataclass(frozen=True)
class RecordingPanel:
    """A recording as shown: its check decides whether a player is offered at all."""

    id: int
    title: str
    duration_seconds: float | None
    sealed_sha256: str | None
    check: RecordingCheck
    transcript: str | None

    @property
    def status(self) -> str:
        return self.check.status.value

    @property
    def status_label(self) -> str:
        return self.check.status.label

    @property
    def playable(self) -> bool:
        return self.check.status.playable


@routes.get("/calls/{attempt_id}", name="call")
@requires(Permission.VIEW_LEDGER)
async def call_page(request: web.Request) -> web.StreamResponse:
    call = await _call(request)
    revealed = None
    if await security.take_reveal(request, call.attempt.id):
        revealed = call.case.phone
    return await _render(request, call, revealed_phone=revealed)


@routes.post("/calls/{attempt_id}/reveal", name="reveal")
@requires(Permission.REVEAL_PHONE)
async def reveal_phone(request: web.Request) -> web.StreamResponse:
    """Show the full number, once, on the record: logged here, then shown by the call's
    page this redirects to (POST, redirect, GET), so reloading that page neither posts
    nor logs again, and shows the number masked."""
    call = await _call(request)
    await security.record(
        request,
        "reveal_phone",
        attempt_id=call.attempt.id,
        detail=f"办件 {call.case.case_no} 申请人电话 {mask_phone(call.case.phone)}",
    )
    lasting = timedelta(seconds=request.app[web_keys.SETTINGS].reveal_seconds)
    await security.grant_reveal(request, call.attempt.id, lasting)
    return security.see_other(f"/calls/{quote(call.attempt.id, safe='')}")


async def _call(request: web.Request) -> CallRecord:
    attempt_id = request.match_info["attempt_id"]
    call = None
    if params.plain(attempt_id):
        call = await asyncio.to_thread(request.app[keys.READER].find, attempt_id)
    if call is None:
        raise web.HTTPNotFound(text=f"没有编号为 {params.shown(attempt_id)} 的通话。")
    return call


async def _render(
    request: web.Request, call: CallRecord, *, revealed_phone: str | None
) -> web.StreamResponse:
    current = request[access_keys.CURRENT]
    assert current is not None  # requires() let the request through
    can_play = allowed(current.user.role, Permission.PLAY_RECORDINGS)
    verifier = request.app[call_keys.VERIFIER]

    async def panel(recording: RecordingView, title: str) -> RecordingPanel:
        check = await asyncio.to_thread(verifier.check, recording.path, recording.sha256)
        return RecordingPanel(
            recording.id,
            title,
            recording.duration_seconds,
            recording.sha256,
            check,
            recording.transcript,
        )

    labels_by_question = {a.question_id: a.label for a in call.answers}
    answer_panels = await asyncio.gather(
        *(
            panel(r, labels_by_question.get(r.question_id or "", r.question_id or "回答录音"))
            for r in call.answer_recordings
        )
    )
    whole = None
    if call.call_recording is not None:
        whole = await panel(call.call_recording, "全程通话录音")
    others = await _other_attempts(request, call)
    return render(
        request,
        "call.html",
        {
            "call": call,
            "phone": revealed_phone or mask_phone(call.case.phone),
            "revealed": revealed_phone is not None,
            "can_play": can_play,
            "whole": whole,
            "answer_panels": {p.id: p for p in answer_panels},
            "other_attempts": others,
            "events": timeline(call),
            "outcome_label": labels.outcome_label(call.attempt.outcome),
            "outcome_class": labels.outcome_class(call.attempt.outcome),
            "cause_label": labels.hangup_cause(call.attempt.hangup_cause),
            "score_label": labels.score_label,
            "form": _form_label(request, call),
            **(await takeover_context(request, call.attempt.id)),
        },
    )


def _form_label(request: web.Request, call: CallRecord) -> str | None:
    """The 台账 form the call is exported in, with its profile: 附表1 电话回访工作记录表
    （信阳市住房和城乡建设局）."""
    forms = request.app.get(keys.FORMS)
    profile = None if forms is None else forms.profile_of(call)
    if forms is None or profile is None:
        return None
    return f"{profile.ledger_form} {forms.file_name(profile.ledger_form)}（{profile.name}）"


async def _other_attempts(request: web.Request, call: CallRecord) -> list[AttemptView]:
    """The case's other attempts, in order."""
    attempts = await asyncio.to_thread(
        request.app[keys.READER].attempts_of_case, call.attempt.case_id
    )
    return [a for a in attempts if a.id != call.attempt.id]
