"""Agents, takeovers and call-back tasks in the ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import session_factory
from callcenter.kernel.errors import AgentError
from callcenter.ledger.store import LedgerReader

STATION = "城区市场监管所"
DIGEST = "MD5:0123456789abcdef0123456789abcdef"
T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def sessions(ledger_engine: Engine) -> sessionmaker[Session]:
    return session_factory(ledger_engine)


def call(ledger: Ledger, n: int = 1) -> str:
    ledger.upsert_unit(STATION, "station")
    case_id = ledger.add_case(
        f"TK-{n}",
        STATION,
        "王伟",
        "13800000001",
        "个体工商户设立登记",
        date(2026, 10, 9),
        title="先生",
    )
    attempt = f"call-{n}"
    ledger.start_attempt(attempt, case_id, "yima_phone_followup", T0)
    ledger.mark_answered(attempt, T0)
    ledger.save_answer(attempt, Answer("consent", "接听意愿", "yesno", "1", "方便"))
    ledger.save_answer(
        attempt, Answer("q1_environment", "服务环境", "scale", "4", "不太满意", score=4)
    )
    return attempt


def open_takeover(log: TakeoverLog, attempt: str, misconduct: bool = False) -> int:
    return log.open(
        attempt,
        rule_id="low_score",
        rule_label="满意度评分较低",
        question_id="q1_environment",
        key="4",
        misconduct=misconduct,
        channel_id=attempt,
    )


def test_agents_are_added_listed_and_disabled(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    roster = AgentRoster(sessions)
    a = roster.add("agent1001", "李娜", DIGEST, "callcenter", "agent")
    assert (a.login, a.enabled, a.ready) == ("agent1001", True, False)
    assert DIGEST not in repr(a)
    with pytest.raises(AgentError, match="'agent1001' already exists"):
        roster.add("agent1001", "x", DIGEST, "callcenter", "agent")
    with pytest.raises(AgentError, match="login 'Bad Name'"):
        roster.add("Bad Name", "x", DIGEST, "callcenter", "agent")
    assert roster.disable("agent1001").enabled is False
    with pytest.raises(AgentError, match="disabled"):
        roster.set_ready("agent1001", True)
    assert [x.login for x in roster.all()] == ["agent1001"]
    with pytest.raises(AgentError, match="no agent 'nobody'"):
        roster.get("nobody")


def test_longest_idle_ready_agent_first_and_claims_exclusive(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    roster, log = AgentRoster(sessions), TakeoverLog(sessions)
    for login in ("a1", "a2", "a3"):
        roster.add(login, login, DIGEST, "callcenter", "agent")
    roster.add("sup1", "督查", DIGEST, "callcenter", "supervisor")
    roster.set_ready("a2", True)
    roster.set_ready("a1", True)
    roster.set_ready("sup1", True)
    assert [a.login for a in roster.candidates()] == ["a2", "a1"]  # a3 not ready, sup1 no calls
    t1 = open_takeover(log, call(ledger, 1))
    t2 = open_takeover(log, call(ledger, 2))
    assert roster.claim("a2", t1)
    assert not roster.claim("a2", t2)  # one takeover at a time
    assert [a.login for a in roster.candidates()] == ["a1"]
    roster.release("a2", t1, talked=True)
    assert [a.login for a in roster.candidates()] == ["a1", "a2"]  # a2 just finished a call
    assert roster.claim("a1", t2)
    roster.release("a1", t2, talked=False, pause=True)  # let it ring out
    assert roster.get("a1").ready is False


def test_claim_left_by_a_dead_process_frees_when_the_call_is_over(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    roster, log = AgentRoster(sessions), TakeoverLog(sessions)
    roster.add("a1", "a1", DIGEST, "callcenter", "agent")
    roster.set_ready("a1", True)
    attempt = call(ledger)
    assert roster.claim("a1", open_takeover(log, attempt))
    assert roster.candidates() == []
    ledger.finish_attempt(attempt, Outcome.PARTIAL, None, T0, "控制器重启，通话中断")
    assert [a.login for a in roster.candidates()] == ["a1"]


def test_takeover_lifecycle_and_the_agents_screen(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    log = TakeoverLog(sessions)
    attempt = call(ledger)
    t = open_takeover(log, attempt)
    o1 = log.offer(t, "a1", f"{attempt}-agent-1")
    log.offer_ringing(o1, T0)
    screen = log.current_for("a1")
    assert screen is not None and screen.id == t and screen.state == "ringing"
    assert screen.case.applicant == "王伟先生" and screen.case.unit == STATION
    assert [(a.label, a.value) for a in screen.answers] == [
        ("接听意愿", "方便"),
        ("服务环境", "不太满意"),
    ]
    assert "13800000001" not in repr(screen.case)
    log.offer_ended(o1, "no_answer", 19)
    assert log.current_for("a1") is None
    o2 = log.offer(t, "a2", f"{attempt}-agent-2")
    log.offer_ended(o2, "answered")
    log.connected(t, "a2", "bridge-1")
    assert [x.id for x in log.live()] == [t]
    with pytest.raises(AgentError, match="outcome 'great'"):
        log.record_outcome(t, "a2", "great", "")
    log.finish(t, "ended")
    log.finish(t, "abandoned")  # the first finish counts
    view = log.current_for("a2")  # still awaiting the agent's note
    assert view is not None and view.state == "ended"
    assert [(o.agent_login, o.result) for o in view.offers] == [
        ("a1", "no_answer"),
        ("a2", "answered"),
    ]
    done = log.record_outcome(t, "a2", "explained", "  已向申请人解释排队原因  ")
    assert (done.outcome_label, done.note) == ("已解释说明", "已向申请人解释排队原因")
    assert log.current_for("a2") is None
    ledger.finish_attempt(attempt, Outcome.TRANSFERRED, 16, T0, "转人工原因：满意度评分较低")
    [row] = LedgerReader(sessions).taizhang()
    assert row.remark == (
        "已转人工；需跟进：服务环境(4)；转人工原因：满意度评分较低；"
        "坐席记录：已解释说明，已向申请人解释排队原因"
    )


def test_misconduct_note_stays_out_of_the_taizhang(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    log = TakeoverLog(sessions)
    attempt = call(ledger)
    t = open_takeover(log, attempt, misconduct=True)
    log.connected(t, "a1", "b")
    log.finish(t, "ended")
    log.record_outcome(t, "a1", "misconduct", "窗口人员张某索要好处费")
    ledger.finish_attempt(attempt, Outcome.TRANSFERRED, 16, T0, "转人工原因：反映索拿卡要")
    [row] = LedgerReader(sessions).taizhang()
    assert "张某" not in row.remark
    assert "坐席记录：登记不廉洁问题线索（反映不廉洁问题，详情限授权人员查看）" in row.remark
    assert log.view(t).note == "窗口人员张某索要好处费"


def test_unanswered_takeover_cannot_be_noted(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    log = TakeoverLog(sessions)
    t = open_takeover(log, call(ledger))
    log.finish(t, "no_agent")
    with pytest.raises(AgentError, match="never answered"):
        log.record_outcome(t, "a1", "explained", "x")


def test_callback_tasks_queue_and_done(ledger: Ledger, sessions: sessionmaker[Session]) -> None:
    log, tasks = TakeoverLog(sessions), CallbackTasks(sessions)
    a1, a2 = call(ledger, 1), call(ledger, 2)
    t1 = open_takeover(log, a1)
    task = tasks.add(a1, t1, "满意度评分较低", misconduct=False)
    assert tasks.add(a1, t1, "满意度评分较低", misconduct=False) == task  # safe to repeat
    secret = tasks.add(a2, open_takeover(log, a2, True), "反映索拿卡要", misconduct=True)
    assert [t.id for t in tasks.queue(include_misconduct=False)] == [task]
    assert [t.id for t in tasks.queue(include_misconduct=True)] == [task, secret]
    with pytest.raises(AgentError, match="say what came of the call"):
        tasks.finish(task, "a1", " ")
    done = tasks.finish(task, "a1", "已回电，申请人表示理解")
    assert (done.state, done.done_by) == ("done", "a1")
    with pytest.raises(AgentError, match="already done by a1"):
        tasks.finish(task, "a2", "again")
    assert tasks.queue(include_misconduct=True) == tasks.queue(
        include_misconduct=True, state="open"
    )
    assert [t.id for t in tasks.queue(include_misconduct=True)] == [secret]
    ledger.finish_attempt(a1, Outcome.COMPLETE, 16, T0, "转人工未接通，已登记回电")
    [row] = LedgerReader(sessions).taizhang(attempt_ids=[a1])
    assert row.remark.endswith("转人工未接通，已登记回电；回电结果：已回电，申请人表示理解")


def test_staffed_means_an_enabled_agent_who_takes_calls(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    roster = AgentRoster(sessions)
    assert not roster.staffed()
    roster.add("sup1", "督查", DIGEST, "callcenter", "supervisor")
    assert not roster.staffed()  # supervisors listen in, they do not take calls
    roster.add("a1", "a1", DIGEST, "callcenter", "agent")
    assert roster.staffed()  # ready or not: a call-back will reach someone
    roster.disable("a1")
    assert not roster.staffed()


def test_takeovers_left_open_by_a_stopped_process_are_closed(
    ledger: Ledger, sessions: sessionmaker[Session]
) -> None:
    log = TakeoverLog(sessions)
    dead, alive = call(ledger, 1), call(ledger, 2)
    t_dead, t_alive = open_takeover(log, dead), open_takeover(log, alive)
    log.offer(t_dead, "a1", f"{dead}-agent1")
    log.connected(t_dead, "a1", "b")
    log.offer(t_alive, "a2", f"{alive}-agent1")
    # the controller that placed the first call died; a restart closed the call
    ledger.finish_attempt(dead, Outcome.PARTIAL, None, T0, "控制器重启，通话中断")
    assert [t.id for t in log.live()] == [t_alive]
    assert log.close_orphans() == [f"{dead}-agent1"]
    assert log.view(t_dead).state == "abandoned"
    assert log.view(t_alive).state == "ringing"
    assert log.close_orphans() == []
