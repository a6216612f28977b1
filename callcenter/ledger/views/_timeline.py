"""A call's events in order, for its page: dialled, answered, each answer, ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.calls.records import AnswerView
from callcenter.ledger.record import CallRecord
from callcenter.ledger.views import _labels as labels


@dataclass(frozen=True)
class Event:
    at: datetime
    title: str
    detail: str
    offset: str  # since the call was dialled, +m:ss
    # Where in the whole-call recording this happened; the recording starts at answer.
    seek: float | None


def timeline(call: CallRecord) -> list[Event]:
    a = call.attempt
    raw: list[tuple[datetime, str, str]] = [(a.started_at, "拨出", f"第 {a.attempt_no} 次拨打")]
    if a.answered_at is not None:
        raw.append((a.answered_at, "接通", "对方接听，开始录音"))
    raw.extend((answer.answered_at, answer.label, _answer_text(answer)) for answer in call.answers)
    if a.ended_at is not None:
        end = f"{labels.outcome_label(a.outcome)}；{labels.hangup_cause(a.hangup_cause)}"
        if a.note:
            end += f"；{a.note}"
        raw.append((a.ended_at, "结束", end))
    # sorted() is stable: events at the same instant keep the order above.
    events = []
    for at, title, detail in sorted(raw, key=lambda e: e[0]):
        seek = None
        if a.answered_at is not None and at >= a.answered_at:
            seek = (at - a.answered_at).total_seconds()
        events.append(Event(at, title, detail, _offset(at, a.started_at), seek))
    return events


def _answer_text(answer: AnswerView) -> str:
    if answer.kind == "recording":
        return "录音回答"
    text = answer.value or (f"按键 {answer.keys}" if answer.keys else "未作答")
    if answer.keys and answer.value:
        text += f"（按键 {answer.keys}）"
    return text


def _offset(at: datetime, start: datetime) -> str:
    seconds = max(0, round((at - start).total_seconds()))
    return f"+{seconds // 60}:{seconds % 60:02d}"
