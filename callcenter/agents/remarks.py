"""What agents wrote about a call, in the words of the 台账's 备注.

A takeover's note, and the note of a call-back once made, go into the 备注 of the call
they belong to. Reports of misconduct (索拿卡要) are only flagged there: the 台账 is
read widely, the details are for the roles allowed to see them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from callcenter.agents.tables import AGENT_OUTCOMES, CallbackTask, Takeover

RESTRICTED = "反映不廉洁问题，详情限授权人员查看"


def takeover_remark(outcome: str | None, note: str, misconduct: bool) -> str:
    if outcome is None:
        return ""
    said = AGENT_OUTCOMES.get(outcome, outcome)
    if misconduct:
        return f"坐席记录：{said}（{RESTRICTED}）"
    return f"坐席记录：{said}" + (f"，{note}" if note else "")


def callback_remark(state: str, note: str, misconduct: bool) -> str:
    if state != "done":
        return ""
    return f"回电结果：{RESTRICTED}" if misconduct else f"回电结果：{note}"


def agent_remarks(s: Session, attempt_ids: Select[Any]) -> dict[str, str]:
    """{attempt id: remark} for the attempts ``attempt_ids`` selects."""
    parts: dict[str, list[str]] = {}
    takeovers = s.execute(
        select(Takeover.attempt_id, Takeover.outcome, Takeover.note, Takeover.misconduct)
        .where(Takeover.attempt_id.in_(attempt_ids), Takeover.outcome.is_not(None))
        .order_by(Takeover.id)
    )
    for attempt_id, outcome, note, misconduct in takeovers:
        parts.setdefault(attempt_id, []).append(takeover_remark(outcome, note, misconduct))
    callbacks = s.execute(
        select(
            CallbackTask.attempt_id, CallbackTask.state, CallbackTask.note, CallbackTask.misconduct
        )
        .where(CallbackTask.attempt_id.in_(attempt_ids), CallbackTask.state == "done")
        .order_by(CallbackTask.id)
    )
    for attempt_id, state, note, misconduct in callbacks:
        parts.setdefault(attempt_id, []).append(callback_remark(state, note, misconduct))
    return {k: "；".join(p for p in v if p) for k, v in parts.items()}
