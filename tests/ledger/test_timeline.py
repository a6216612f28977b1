from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from callcenter.calls.records import AnswerView, AttemptView
from callcenter.cases.store import CaseView
from callcenter.interview.outcome import Outcome
from callcenter.ledger.record import CallRecord, call_record
from callcenter.ledger.views._timeline import timeline

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def _call(answered: bool) -> CallRecord:
    answers = (
        (
            AnswerView(
                "q1", "服务环境", "scale", "1", "非常满意", 1, T0 + timedelta(seconds=20), None
            ),
            AnswerView(
                "q2r",
                "服务态度不满意情形",
                "recording",
                None,
                None,
                None,
                T0 + timedelta(seconds=40),
                None,
            ),
        )
        if answered
        else ()
    )
    case = CaseView(
        1,
        "YM-1",
        "所",
        "station",
        "张三",
        "先生",
        "",
        "13800000000",
        "登记",
        date(2026, 11, 1),
        False,
    )
    attempt = AttemptView(
        id="a1",
        case_id=1,
        script_id="s",
        attempt_no=2,
        started_at=T0,
        answered_at=T0 + timedelta(seconds=8) if answered else None,
        ended_at=T0 + timedelta(seconds=75),
        outcome=Outcome.COMPLETE if answered else Outcome.NO_ANSWER,
        hangup_cause=16 if answered else 19,
        note="",
        answers=answers,
    )
    return call_record(case, attempt, (), "")


def test_answered_call() -> None:
    events = timeline(_call(True))
    assert [(e.title, e.offset, e.seek) for e in events] == [
        ("拨出", "+0:00", None),
        ("接通", "+0:08", 0.0),
        # An answer is stored when given; listening starts where its question was
        # asked, just after the answer before it.
        ("服务环境", "+0:20", 0.0),
        ("服务态度不满意情形", "+0:40", 12.0),
        ("结束", "+1:15", 67.0),
    ]
    assert events[0].detail == "第 2 次拨打"
    assert events[2].detail == "非常满意（按键 1）"
    assert events[3].detail == "录音回答"
    assert events[-1].detail == "完成回访；正常挂机（原因码 16）"


def test_unanswered_call() -> None:
    events = timeline(_call(False))
    assert [(e.title, e.seek) for e in events] == [("拨出", None), ("结束", None)]
    assert events[-1].detail == "无人接听；无人应答（原因码 19）"
