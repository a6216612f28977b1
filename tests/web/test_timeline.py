from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from callcenter.interview.outcome import Outcome
from callcenter.ledger.search import AnswerFacts, AttemptFacts, CallFacts, CaseFacts
from callcenter.ledger.views._timeline import timeline

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def _call(answered: bool) -> CallFacts:
    attempt = AttemptFacts(
        id="a1",
        attempt_no=2,
        script_id="s",
        started_at=T0,
        answered_at=T0 + timedelta(seconds=8) if answered else None,
        ended_at=T0 + timedelta(seconds=75),
        outcome=Outcome.COMPLETE if answered else Outcome.NO_ANSWER,
        hangup_cause=16 if answered else 19,
        note="",
    )
    answers = (
        (
            AnswerFacts(
                "q1", "服务环境", "scale", "1", "非常满意", 1, T0 + timedelta(seconds=20), None
            ),
            AnswerFacts(
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
    case = CaseFacts(
        1, "YM-1", "所", "张三", "", "先生", "13800000000", "登记", date(2026, 11, 1), False
    )
    return CallFacts(case, attempt, answers, None, (), (), None)


def test_answered_call() -> None:
    events = timeline(_call(True))
    assert [(e.title, e.offset, e.seek) for e in events] == [
        ("拨出", "+0:00", None),
        ("接通", "+0:08", 0.0),
        ("服务环境", "+0:20", 12.0),
        ("服务态度不满意情形", "+0:40", 32.0),
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
