"""Generated sequences of events sent to the ticket's state machine, from any state, of
either kind: each event is refused with ``TicketError`` or makes a transition that keeps
the rules (rounds only grow by a 退回, a closed ticket says how, misconduct is never sent
back to its unit, nothing leaves 办结)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.kernel.errors import TicketError
from callcenter.tickets.machine import (
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
    advance,
)
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally

pytestmark = pytest.mark.fuzz

texts = st.sampled_from(["已联系申请人", "", "  ", "整改完成"]) | st.text(max_size=2010)
events: st.SearchStrategy[Event] = st.one_of(
    st.builds(Contact, st.sampled_from(ContactMethod), texts),
    st.builds(Report, texts),
    st.just(RevisitReady()),
    st.builds(Revisit, st.sampled_from(RevisitResult)),
    st.builds(Verify, st.sampled_from([True, False, None]), st.sampled_from(Conclusion), texts),
)
starts = st.builds(
    Position,
    st.just("T2026-0001"),
    st.sampled_from(Kind),
    st.sampled_from(State),
    st.integers(1, 4),
)


def test_event_sequences() -> None:
    count = tally("ticket state machine")

    @fuzz_settings
    @given(starts, st.lists(events, max_size=12))
    def run(start: Position, sequence: list[Event]) -> None:
        at = start
        for event in sequence:
            with count.one(TicketError):
                t = advance(at, event)
                assert at.state is not State.CLOSED
                assert t.round == at.round + (1 if t.new_round else 0)
                if t.new_round:
                    assert isinstance(event, Verify) and event.conclusion is Conclusion.RETURNED
                    assert at.kind is Kind.RECTIFICATION and t.state is State.RECTIFYING
                assert (t.state is State.CLOSED) == (t.closure is not None)
                assert t.flagged == (
                    isinstance(event, Verify) and event.conclusion is Conclusion.ACCOUNTABILITY
                )
                if t.state is State.REVERIFYING:
                    assert at.round > 1
                at = Position(at.ticket, at.kind, t.state, t.round)

    run()
