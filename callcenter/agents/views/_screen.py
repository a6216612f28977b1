"""What the agent screen shows, as data: built here, sent as JSON, drawn by agent.js.

The same dictionary renders the page the first time (so it works before the live
updates connect) and every update after.
"""

from __future__ import annotations

from typing import Any

from callcenter.agents.presence import PhoneState
from callcenter.agents.remarks import RESTRICTED
from callcenter.agents.roster import AgentView
from callcenter.agents.takeover_log import TakeoverView
from callcenter.interview.answers import Answer
from callcenter.web.masking import mask_phone
from callcenter.web.templating import beijing

STATE_LABELS = {
    "ringing": "来电振铃中",
    "connected": "通话中",
    "ended": "通话已结束，请填写处理结果",
    "no_agent": "无人接听",
    "abandoned": "对方已挂断",
}


def answer_text(answer: Answer) -> str:
    if answer.kind == "recording":
        return "（已录音）"
    return answer.value or answer.keys or "未作答"


def takeover_state(view: TakeoverView, *, see_misconduct: bool) -> dict[str, Any]:
    case = view.case
    return {
        "id": view.id,
        "state": view.state,
        "state_label": STATE_LABELS.get(view.state, view.state),
        "rule": view.rule_label,
        "misconduct": view.misconduct,
        "applicant": case.applicant,
        "phone": mask_phone(case.phone),
        "case_no": case.case_no,
        "unit": case.unit,
        "matter": case.matter,
        "completed_on": beijing(case.completed_on),
        "fired_at": beijing(view.fired_at, "%H:%M:%S"),
        "answers": [{"label": a.label, "value": answer_text(a)} for a in view.answers],
        # a note can be written once the agent has talked to the applicant
        "can_record": view.connected_at is not None,
        "outcome": view.outcome,
        "note": view.note if (see_misconduct or not view.misconduct) else RESTRICTED,
    }


def screen_state(
    agent: AgentView, phone: PhoneState | None, takeover: TakeoverView | None
) -> dict[str, Any]:
    return {
        "agent": {
            "login": agent.login,
            "name": agent.name,
            "ready": agent.ready,
            "enabled": agent.enabled,
            "phone": phone.label if phone is not None else "状态未知",
        },
        # the agent talking to the applicant sees the report they are taking
        "takeover": takeover_state(takeover, see_misconduct=True) if takeover else None,
    }
