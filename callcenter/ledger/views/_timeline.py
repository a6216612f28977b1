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
    # Where in the whole-call recording to listen from (the recording starts at answer):
    # for an answer, where its question began.
    seek: float | None


def timeline(call: CallRecord) -> list[Event]:
    """The events in order. An answer is stored when it has been given, so its time is
    where it ends; its 从此处收听 starts where its question began instead: just after the
    event before it (the answer before, or the call being answered)."""
    a = call.attempt
    raw: list[tuple[datetime, str, str, bool]] = [
        (a.started_at, "拨出", f"第 {a.attempt_no} 次拨打", False)
    ]
    if a.answered_at is not None:
        raw.append((a.answered_at, "接通", "对方接听，开始录音", False))
    raw.extend(
        (answer.answered_at, answer.label, _answer_text(answer), True) for answer in call.answers
    )
    if a.ended_at is not None:
        end = f"{labels.outcome_label(a.outcome)}；{labels.hangup_cause(a.hangup_cause)}"
        if a.note:
            end += f"；{a.note}"
        raw.append((a.ended_at, "结束", end, False))
    # sorted() is stable: events at the same instant keep the order above.
    events = []
    previous: datetime | None = None
    for at, title, detail, is_answer in sorted(raw, key=lambda e: e[0]):
        seek = None
        starts = previous if is_answer and previous is not None else at
        if a.answered_at is not None and at >= a.answered_at:
            seek = (max(starts, a.answered_at) - a.answered_at).total_seconds()
        events.append(Event(at, title, detail, _offset(at, a.started_at), seek))
        previous = at
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
