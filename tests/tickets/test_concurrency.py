"""Two people acting on one ticket at once, on SQLite and PostgreSQL: the database lets
exactly one through, the other is told and nothing of theirs is written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from callcenter.calls.store import Ledger
from callcenter.kernel.errors import TicketConflict
from callcenter.tickets.machine import Contact, ContactMethod, State, advance
from callcenter.tickets.service import TicketService
from callcenter.tickets.store import Change, TicketQuery, TicketStore
from tests.tickets.fixtures import add_case, answers, finished_call


def _ticket(ledger: Ledger, service: TicketService) -> int:
    case_id = add_case(ledger, "YM-2026-0500")
    at = service.clock.now() - timedelta(minutes=5)
    ticket_id = service.on_call_finished(finished_call(ledger, "c500", case_id, at, answers(q1=5)))
    assert ticket_id is not None
    return ticket_id


def test_two_writers_with_the_same_reading_one_wins(ledger: Ledger, service: TicketService) -> None:
    ticket_id = _ticket(ledger, service)
    store = TicketStore(ledger.sessions)
    first, second = store.load(ticket_id), store.load(ticket_id)  # both read version 1
    now = service.clock.now()
    event = Contact(ContactMethod.PHONE, "甲已联系")
    store.apply(
        first, advance(first.position, event), Change("lianluo1", "liaison", "contact"), now
    )
    with pytest.raises(TicketConflict) as lost:
        store.apply(
            second, advance(second.position, event), Change("juzhang", "liaison", "contact"), now
        )
    assert "已被他人更新（当前状态：整改中），本次操作未保存" in str(lost.value)
    t = store.load(ticket_id)
    assert (t.state, t.version) == (State.RECTIFYING, 2)
    assert [e.actor for e in store.events(ticket_id)] == ["system", "lianluo1"]


def _meeting(store: TicketStore, monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Make ``parties`` threads all read the ticket before any of them writes it."""
    barrier = threading.Barrier(parties, timeout=30)
    apply = store.apply

    def apply_after_all_have_read(*args: Any, **kwargs: Any) -> None:
        barrier.wait()
        apply(*args, **kwargs)

    monkeypatch.setattr(store, "apply", apply_after_all_have_read)


def _both(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
        out = []
        for f in futures:
            try:
                out.append(f.result(timeout=60))
            except Exception as exc:
                out.append(exc)
        return out


def test_two_liaisons_contacting_at_once_one_is_refused(
    ledger: Ledger, service: TicketService, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket_id = _ticket(ledger, service)
    _meeting(service.store, monkeypatch, 2)
    people = [service.actor("lianluo1"), service.actor("juzhang")]
    results = _both(
        [
            lambda who=who: service.contact(
                ticket_id, who, ContactMethod.PHONE, f"{who.username}联系"
            )
            for who in people
        ]
    )
    conflicts = [r for r in results if isinstance(r, TicketConflict)]
    assert len(conflicts) == 1, results
    events = service.store.events(ticket_id)
    assert [e.event for e in events] == ["open", "contact"]
    assert service.store.load(ticket_id).version == 2


def test_the_same_revisit_recorded_twice_at_once_counts_once(
    ledger: Ledger, service: TicketService, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket_id = _ticket(ledger, service)
    liaison = service.actor("lianluo1")
    service.contact(ticket_id, liaison, ContactMethod.PHONE, "已联系")
    service.report(ticket_id, liaison, "已整改")
    service.revisits_due()
    _meeting(service.store, monkeypatch, 2)
    results = _both([lambda: service.record_revisit(ticket_id, 1, None, True)] * 2)
    assert sorted(results) == [False, True]
    assert service.store.load(ticket_id).state is State.CLOSED
    assert [e.event for e in service.store.events(ticket_id)].count("revisit") == 1


def test_the_same_call_finished_twice_at_once_opens_one_ticket(
    ledger: Ledger, service: TicketService
) -> None:
    case_id = add_case(ledger, "YM-2026-0600")
    at = service.clock.now() - timedelta(minutes=5)
    call = finished_call(ledger, "c600", case_id, at, answers(q2=5))
    start = threading.Barrier(4, timeout=30)

    def finish() -> int | None:
        start.wait()
        return service.on_call_finished(call)

    results = _both([finish] * 4)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert len(service.store.search(TicketQuery())) == 1
