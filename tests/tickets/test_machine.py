"""The ticket's life as a pure state machine: every path of 济宁 第六条–第九条, and every
event refused where it does not fit."""

from __future__ import annotations

import pytest

from callcenter.kernel.errors import TicketError
from callcenter.tickets.machine import (
    Closure,
    Conclusion,
    Contact,
    ContactMethod,
    Event,
    Kind,
    Position,
    Report,
    Revisit,
    RevisitReady,
    RevisitResult,
    State,
    Verify,
    accepts,
    advance,
    opening_state,
)

CONTACT = Contact(ContactMethod.PHONE, "已致电申请人，说明了窗口排队的原因。")
REPORT = Report("已增设取号机，高峰期增开窗口。")
READY = RevisitReady()


def run(kind: Kind, *events: Event) -> Position:
    at = Position("T2026-0001", kind, opening_state(kind), 1)
    for event in events:
        t = advance(at, event)
        at = Position(at.ticket, at.kind, t.state, t.round)
    return at


def verify(conclusion: Conclusion, satisfied: bool | None = True) -> Verify:
    return Verify(satisfied, conclusion, "已电话核实。")


def test_rectification_closed_when_the_revisit_is_satisfied() -> None:
    at = Position("T2026-0001", Kind.RECTIFICATION, State.AWAITING_CONTACT, 1)
    steps = [CONTACT, REPORT, READY, Revisit(RevisitResult.SATISFIED)]
    states = []
    for event in steps:
        t = advance(at, event)
        states.append(t.state)
        at = Position(at.ticket, at.kind, t.state, t.round)
    assert states == [State.RECTIFYING, State.REPORTED, State.AWAITING_REVISIT, State.CLOSED]
    assert t.closure is Closure.REVISIT_SATISFIED
    assert not t.flagged


@pytest.mark.parametrize("result", [RevisitResult.UNSATISFIED, RevisitResult.UNREACHABLE])
def test_unsatisfied_or_unreached_revisit_goes_to_supervision(result: RevisitResult) -> None:
    at = run(Kind.RECTIFICATION, CONTACT, REPORT, READY, Revisit(result))
    assert (at.state, at.round) == (State.VERIFYING, 1)


@pytest.mark.parametrize(
    ("conclusion", "closure", "flagged"),
    [
        (Conclusion.SATISFIED, Closure.VERIFIED_SATISFIED, False),
        (Conclusion.INVALID, Closure.INVALID, False),
        (Conclusion.ACCOUNTABILITY, Closure.ACCOUNTABILITY, True),
    ],
)
def test_verification_closes(conclusion: Conclusion, closure: Closure, flagged: bool) -> None:
    at = run(Kind.RECTIFICATION, CONTACT, REPORT, READY, Revisit(RevisitResult.UNSATISFIED))
    t = advance(at, verify(conclusion, satisfied=conclusion is Conclusion.SATISFIED))
    assert (t.state, t.closure, t.flagged, t.round) == (State.CLOSED, closure, flagged, 1)


def test_sent_back_goes_to_a_second_round_and_a_second_unsatisfied_to_second_verification() -> None:
    at = run(Kind.RECTIFICATION, CONTACT, REPORT, READY, Revisit(RevisitResult.UNSATISFIED))
    t = advance(at, verify(Conclusion.RETURNED, satisfied=False))
    assert (t.state, t.round, t.new_round) == (State.RECTIFYING, 2, True)
    at = Position(at.ticket, at.kind, t.state, t.round)
    at = run_from(at, REPORT, READY, Revisit(RevisitResult.UNSATISFIED))
    assert (at.state, at.round) == (State.REVERIFYING, 2)
    assert State.REVERIFYING.label == "二次督查"
    t = advance(at, verify(Conclusion.SATISFIED))
    assert (t.state, t.closure) == (State.CLOSED, Closure.VERIFIED_SATISFIED)


def run_from(at: Position, *events: Event) -> Position:
    for event in events:
        t = advance(at, event)
        at = Position(at.ticket, at.kind, t.state, t.round)
    return at


def test_misconduct_goes_straight_to_supervision_and_is_never_sent_back_to_the_unit() -> None:
    at = run(Kind.MISCONDUCT)
    assert at.state is State.VERIFYING
    with pytest.raises(TicketError) as refused:
        advance(at, CONTACT)
    assert refused.value.state == "verifying" and refused.value.event == "contact"
    with pytest.raises(TicketError, match="不退回被反映单位整改"):
        advance(at, verify(Conclusion.RETURNED, satisfied=False))
    t = advance(at, verify(Conclusion.ACCOUNTABILITY, satisfied=False))
    assert (t.closure, t.flagged) == (Closure.ACCOUNTABILITY, True)


def test_every_event_outside_its_state_is_refused_naming_ticket_state_and_event() -> None:
    events: list[Event] = [
        CONTACT,
        REPORT,
        READY,
        Revisit(RevisitResult.SATISFIED),
        verify(Conclusion.INVALID),
    ]
    for state in State:
        at = Position("T2026-0042", Kind.RECTIFICATION, state, 1)
        for event in events:
            if isinstance(event, accepts(state)):
                advance(at, event)
                continue
            with pytest.raises(TicketError) as refused:
                advance(at, event)
            error = refused.value
            assert (error.ticket, error.state, error.event) == (
                "T2026-0042",
                state.value,
                event.name,
            )
            assert f"工单T2026-0042处于「{state.label}」，不能{event.label}" in str(error)


def test_a_report_on_a_closed_ticket_is_refused() -> None:
    at = Position("T2026-0001", Kind.RECTIFICATION, State.CLOSED, 1)
    with pytest.raises(
        TicketError, match="处于「办结」，不能提交整改报告：当前可办理：无（已办结）"
    ):
        advance(at, REPORT)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (Contact(ContactMethod.VISIT, "   "), "联系情况不能为空"),
        (Contact(ContactMethod.OTHER, "很" * 2001), "联系情况超过2000字"),
    ],
)
def test_empty_or_overlong_texts_are_refused(event: Event, message: str) -> None:
    with pytest.raises(TicketError, match=message):
        advance(Position("T2026-0001", Kind.RECTIFICATION, State.AWAITING_CONTACT, 1), event)


def test_verified_satisfied_needs_a_satisfied_applicant() -> None:
    at = Position("T2026-0001", Kind.RECTIFICATION, State.VERIFYING, 1)
    with pytest.raises(TicketError, match="申请人须表示满意"):
        advance(at, verify(Conclusion.SATISFIED, satisfied=False))
    with pytest.raises(TicketError, match="核实情况不能为空"):
        advance(at, Verify(True, Conclusion.INVALID, ""))
