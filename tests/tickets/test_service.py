"""Tickets on the database (SQLite and PostgreSQL): opened after a call, once; worked
through every state by the people allowed to; re-visits for the dialler; deadlines from
the working calendar; the 台账's 备注."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import TicketDenied, TicketError
from callcenter.ledger.store import LedgerReader
from callcenter.tickets.machine import Closure, Conclusion, ContactMethod, Kind, State
from callcenter.tickets.service import RevisitDue, TicketService
from callcenter.tickets.store import TicketQuery
from tests.tickets.fixtures import (
    OTHER_STATION,
    WINDOW,
    add_case,
    answers,
    beijing,
    finished_call,
)


def open_ticket(ledger: Ledger, service: TicketService, case_no: str = "YM-2026-0001") -> int:
    case_id = add_case(ledger, case_no)
    at = service.clock.now() - timedelta(minutes=5)
    ticket_id = service.on_call_finished(
        finished_call(ledger, f"call-{case_no}", case_id, at, answers(q2=4))
    )
    assert ticket_id is not None
    return ticket_id


def test_a_bad_call_opens_one_ticket_for_the_unit_with_working_time_deadlines(
    ledger: Ledger, service: TicketService
) -> None:
    case_id = add_case(ledger, "YM-2026-0001")
    call = finished_call(ledger, "c1", case_id, beijing(2026, 2, 13, 15, 50), answers(q2=4, q5=5))
    ticket_id = service.on_call_finished(call)
    assert ticket_id is not None
    t = service.store.load(ticket_id)
    assert (t.number, t.kind, t.state, t.round) == (
        "T2026-0001",
        Kind.RECTIFICATION,
        State.AWAITING_CONTACT,
        1,
    )
    assert t.unit == "义马市市场监督管理局千秋所"
    assert t.bureau == "义马市市场监督管理局"
    assert t.attempt_id == "c1" and t.channel == "电话回访"
    assert t.complaint == "服务态度：不太满意；办事效率：很不满意"
    assert t.question_ids == ("q2_attitude", "q2_reason", "q5_efficiency", "q5_reason")
    # opened Friday 13 February 16:00: 24 working hours end on the 调休 Saturday at 16:00,
    # 3 working days are that Saturday and Tuesday 24, Wednesday 25 (Spring Festival off)
    assert t.current.contact_due == beijing(2026, 2, 14, 16)
    assert t.current.report_due == beijing(2026, 2, 26)
    # the same call again, and another attempt at the same case: the same ticket
    assert service.on_call_finished(call) == ticket_id
    again = finished_call(ledger, "c2", case_id, beijing(2026, 2, 13, 15, 55), answers(q1=5))
    assert service.on_call_finished(again) == ticket_id
    assert [x.id for x in service.store.search(TicketQuery())] == [ticket_id]


@pytest.mark.parametrize("score", [1, 2, 3])
def test_a_satisfied_call_opens_nothing(ledger: Ledger, service: TicketService, score: int) -> None:
    case_id = add_case(ledger, "YM-2026-0002")
    call = finished_call(ledger, "ok", case_id, beijing(2026, 2, 13, 15), answers(q3=score))
    assert service.on_call_finished(call) is None
    assert service.store.search(TicketQuery()) == []


def test_a_call_of_another_script_or_unfinished_opens_nothing(
    ledger: Ledger, service: TicketService
) -> None:
    case_id = add_case(ledger, "YM-2026-0003")
    other = finished_call(
        ledger, "rv", case_id, beijing(2026, 2, 13, 15), answers(q2=5), script_id="yima_revisit"
    )
    assert service.on_call_finished(other) is None
    ledger.start_attempt("live", case_id, "yima_phone_followup", beijing(2026, 2, 13, 15, 30))
    assert service.on_call_finished("live") is None


def test_misconduct_goes_to_supervision_without_unit_deadlines(
    ledger: Ledger, service: TicketService
) -> None:
    case_id = add_case(ledger, "YM-2026-0004")
    call = finished_call(ledger, "m1", case_id, beijing(2026, 2, 13, 15), answers(q2=4, q6=1))
    t = service.store.load(service.on_call_finished(call) or 0)
    assert (t.kind, t.state) == (Kind.MISCONDUCT, State.VERIFYING)
    assert t.title == f"督查工单{t.number}"
    assert (t.current.contact_due, t.current.report_due) == (None, None)
    liaison = service.actor("lianluo1")
    with pytest.raises(TicketDenied, match="无权查看工单"):
        service.ticket(t.number, liaison)
    with pytest.raises(TicketDenied):
        service.ticket(t.number, service.actor("ducha1"))
    assert service.ticket(t.number, service.actor("jiwei1")).id == t.id


def test_satisfied_revisit_closes_and_every_stage_is_stamped(
    ledger: Ledger, service: TicketService, clock: FixedClock
) -> None:
    ticket_id = open_ticket(ledger, service)
    liaison = service.actor("lianluo1")
    clock.set(beijing(2026, 2, 14, 9))
    t = service.contact(
        ticket_id, liaison, ContactMethod.PHONE, "已致电申请人，了解到窗口排队过久。"
    )
    assert t.state is State.RECTIFYING
    clock.set(beijing(2026, 2, 24, 10))
    t = service.report(t.number, liaison, "高峰期增开两个窗口，已向申请人说明。")
    assert t.state is State.REPORTED
    clock.set(beijing(2026, 2, 24, 11))
    due = service.revisits_due()
    case_id = t.case.id
    assert due == [RevisitDue(ticket_id, 1, case_id)]
    assert service.store.load(ticket_id).state is State.AWAITING_REVISIT
    assert service.revisits_due() == due  # still waiting for its call: listed again
    recall = finished_call(
        ledger, "rv1", case_id, beijing(2026, 2, 24, 11), answers(), "yima_revisit"
    )
    clock.set(beijing(2026, 2, 24, 11, 5))
    assert service.record_revisit(ticket_id, 1, recall, satisfied=True) is True
    assert service.record_revisit(ticket_id, 1, recall, satisfied=False) is False  # idempotent
    t = service.store.load(ticket_id)
    assert (t.state, t.closure, t.flagged) == (State.CLOSED, Closure.REVISIT_SATISFIED, False)
    r = t.current
    assert r.contacted_at == beijing(2026, 2, 14, 9)
    assert r.reported_at == beijing(2026, 2, 24, 10)
    assert r.revisit_due_at == beijing(2026, 2, 24, 11)
    assert r.revisit_at == beijing(2026, 2, 24, 11, 5) == t.closed_at == r.closed_at
    assert r.revisit_attempt_id == "rv1"
    assert not t.late
    events = service.store.events(ticket_id)
    assert [(e.event, e.actor, e.to_state.label) for e in events] == [
        ("open", "system", "待联系"),
        ("contact", "lianluo1", "整改中"),
        ("report", "lianluo1", "已报告"),
        ("revisit_due", "system", "待再回访"),
        ("revisit", "system", "办结"),
    ]
    assert events[1].text == "已致电申请人，了解到窗口排队过久。"
    assert service.revisits_due() == []


def test_sent_back_then_unsatisfied_again_goes_to_second_verification(
    ledger: Ledger, service: TicketService, clock: FixedClock
) -> None:
    ticket_id = open_ticket(ledger, service)
    liaison, supervisor = service.actor("lianluo1"), service.actor("jiwei1")
    service.contact(ticket_id, liaison, ContactMethod.VISIT, "上门走访，申请人仍不满意。")
    service.report(ticket_id, liaison, "已整改。")
    service.revisits_due()
    assert service.record_revisit(ticket_id, 1, None, satisfied=None) is True  # not reached
    t = service.store.load(ticket_id)
    assert (t.state, t.current.revisit_result.label) == (State.VERIFYING, "未接通")  # type: ignore[union-attr]
    clock.set(beijing(2026, 2, 24, 9))
    t = service.verify(
        ticket_id, supervisor, False, Conclusion.RETURNED, "核实不符，退回重新整改。"
    )
    assert (t.state, t.round) == (State.RECTIFYING, 2)
    assert t.rounds[0].conclusion is Conclusion.RETURNED
    # a new report deadline, counted from the return: Wed 25, Thu 26, Fri 27 February
    assert t.current.report_due == beijing(2026, 2, 28)
    assert t.current.contact_due is None
    service.report(ticket_id, liaison, "第二次整改：更换窗口人员。")
    assert service.revisits_due() == [RevisitDue(ticket_id, 2, t.case.id)]
    with pytest.raises(TicketError, match="当前为第2轮，不能记录第3轮"):
        service.record_revisit(ticket_id, 3, None, satisfied=True)
    assert service.record_revisit(ticket_id, 1, None, satisfied=True) is False  # done before
    service.record_revisit(ticket_id, 2, None, satisfied=False)
    t = service.store.load(ticket_id)
    assert (t.state.label, t.round) == ("二次督查", 2)
    t = service.verify(
        ticket_id, supervisor, False, Conclusion.ACCOUNTABILITY, "确有刁难，启动问责。"
    )
    assert (t.state, t.closure, t.flagged) == (State.CLOSED, Closure.ACCOUNTABILITY, True)
    assert [r.round for r in t.rounds] == [1, 2]
    assert t.rounds[1].verified_by == "jiwei1"


def test_liaisons_act_on_their_own_unit_only(ledger: Ledger, service: TicketService) -> None:
    ticket_id = open_ticket(ledger, service)
    number = service.store.load(ticket_id).number
    other = service.actor("lianluo2")
    with pytest.raises(TicketDenied) as refused:
        service.contact(number, other, ContactMethod.PHONE, "越权")
    assert str(refused.value) == (
        f"无权查看工单{number}：该工单属于义马市市场监督管理局千秋所，您只能查看和办理"
        f"本单位（{OTHER_STATION}）的工单。"
    )
    # the bureau's liaison sees its 所
    bureau = service.actor("juzhang")
    assert service.ticket(number, bureau).id == ticket_id
    t = service.contact(number, bureau, ContactMethod.OTHER, "局联络员代为联系。")
    assert t.state is State.RECTIFYING
    assert [e.actor for e in service.store.events(ticket_id)][-1] == "juzhang"


def test_verification_is_refused_to_the_units_own_staff_and_to_other_roles(
    ledger: Ledger, service: TicketService
) -> None:
    ticket_id = open_ticket(ledger, service)
    liaison = service.actor("lianluo1")
    service.contact(ticket_id, liaison, ContactMethod.PHONE, "已联系。")
    service.report(ticket_id, liaison, "已整改。")
    service.revisits_due()
    service.record_revisit(ticket_id, 1, None, satisfied=False)
    with pytest.raises(TicketDenied, match="本单位人员不能核实本单位的工单"):
        service.verify(ticket_id, service.actor("jiwei_qiuqiu"), True, Conclusion.SATISFIED, "x")
    for name in ("lianluo1", "ducha1"):
        with pytest.raises(TicketDenied, match="无权进行此项操作"):
            service.verify(ticket_id, service.actor(name), True, Conclusion.SATISFIED, "x")
    assert service.store.load(ticket_id).state is State.VERIFYING
    assert len(service.store.events(ticket_id)) == 5


def test_a_step_in_the_wrong_state_is_refused_and_changes_nothing(
    ledger: Ledger, service: TicketService
) -> None:
    ticket_id = open_ticket(ledger, service)
    liaison = service.actor("lianluo1")
    before = service.store.load(ticket_id)
    with pytest.raises(TicketError) as refused:
        service.report(ticket_id, liaison, "还没联系就报告")
    assert (refused.value.ticket, refused.value.state, refused.value.event) == (
        before.number,
        "awaiting_contact",
        "report",
    )
    assert service.store.load(ticket_id) == before
    assert len(service.store.events(ticket_id)) == 1


def test_the_ledger_remark_names_the_ticket_and_its_state(
    ledger: Ledger, service: TicketService
) -> None:
    ticket_id = open_ticket(ledger, service)
    reader = LedgerReader(ledger.sessions)
    row = reader.call("call-YM-2026-0001").taizhang
    assert row is not None
    assert row.remark.endswith("整改工单T2026-0001（待联系）")
    service.contact(ticket_id, service.actor("lianluo1"), ContactMethod.PHONE, "已联系。")
    assert reader.call("call-YM-2026-0001").taizhang.remark.endswith(  # type: ignore[union-attr]
        "整改工单T2026-0001（整改中）"
    )


def test_numbers_count_within_the_year(
    ledger: Ledger, service: TicketService, clock: FixedClock
) -> None:
    first = open_ticket(ledger, service, "YM-2026-0101")
    second = open_ticket(ledger, service, "YM-2026-0102")
    clock.set(beijing(2027, 1, 4, 10))
    case_id = add_case(ledger, "YM-2027-0001", unit=WINDOW)
    call = finished_call(ledger, "y27", case_id, beijing(2027, 1, 4, 9), answers(q1=5))
    numbers = [service.store.load(i).number for i in (first, second)]
    assert numbers == ["T2026-0001", "T2026-0002"]
    t = service.store.load(service.on_call_finished(call) or 0)
    assert t.number == "T2027-0001"
    # a year the holiday calendar does not know yet: counted Monday to Friday, not refused
    assert t.current.contact_due == beijing(2027, 1, 5, 10)
    assert t.current.report_due == beijing(2027, 1, 8)


def test_a_calls_own_answers_tell_whether_it_must_be_read_back_for_a_ticket(
    ledger: Ledger, service: TicketService
) -> None:
    script = "yima_phone_followup"
    # satisfied on every count: no ticket, nothing to read back
    assert not service.may_open(script, Outcome.COMPLETE, answers())
    assert service.may_open(script, Outcome.COMPLETE, answers(q2=4))
    assert service.may_open(script, Outcome.PARTIAL, answers(q6=1))  # 索拿卡要
    # what an agent added to a transferred call is only in the ledger
    assert service.may_open(script, Outcome.TRANSFERRED, answers())
    assert service.may_open("a script this service does not know", Outcome.COMPLETE, answers())
    # and where the answers say no ticket, the ledger agrees
    case_id = add_case(ledger, "YM-2026-0077")
    call = finished_call(ledger, "c77", case_id, service.clock.now(), answers())
    assert service.on_call_finished(call) is None
