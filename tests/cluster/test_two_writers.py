"""Two supervisors acting on one ticket from two machines (two web servers, each its own
engine on the one PostgreSQL ledger): they meet at the ticket's row, the database lets
the first through, and the second is told and writes nothing.

The first supervisor's transaction is held open right after its conditional UPDATE, so
the second's UPDATE is seen waiting on the row lock before the first commits: the two
writes really overlap, rather than one following the other.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url, text

from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine, session_factory
from callcenter.kernel.errors import TicketConflict
from callcenter.tickets.machine import Conclusion, State
from callcenter.tickets.service import TicketService
from tests.tickets.fixtures import (
    STATION,
    add_case,
    add_units,
    add_user,
    answers,
    beijing,
    finished_call,
    make_service,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(beijing(2026, 2, 13, 16, 0))


def _machine(db_url: str, name: str) -> Engine:
    """An engine as another machine has it, its connections named for pg_stat_activity."""
    return make_engine(make_url(db_url).update_query_dict({"application_name": name}))


@pytest.fixture
def machines(
    db_url: str, ledger: Ledger, clock: FixedClock
) -> Iterator[tuple[TicketService, TicketService, Engine, str]]:
    """The services of two web servers, the first's engine, and the name the second's
    connections carry."""
    add_units(ledger)
    add_user(ledger, "lianluo1", "liaison", STATION)
    add_user(ledger, "jiwei1", "supervisor")
    add_user(ledger, "jiwei2", "supervisor")
    second_name = f"web-b-{uuid.uuid4().hex[:8]}"
    engines = [_machine(db_url, "web-a"), _machine(db_url, second_name)]
    try:
        a, b = (make_service(Ledger(session_factory(e)), clock) for e in engines)
        yield a, b, engines[0], second_name
    finally:
        for e in engines:
            e.dispose()


def _ticket_for_supervision(ledger: Ledger, service: TicketService) -> int:
    """A 索拿卡要 report: its ticket goes straight to supervision's verification."""
    case_id = add_case(ledger, "YM-2026-0700")
    at = service.clock.now() - timedelta(minutes=5)
    ticket_id = service.on_call_finished(finished_call(ledger, "c700", case_id, at, answers(q6=1)))
    assert ticket_id is not None
    return ticket_id


class HeldAfterUpdate:
    """Holds the transaction of the first ``UPDATE tickets`` on ``engine`` open (its row
    lock taken) until ``release`` is set."""

    def __init__(self, engine: Engine) -> None:
        self.updated = threading.Event()
        self.release = threading.Event()
        self._done = False
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not self._done and statement.lstrip().upper().startswith("UPDATE TICKETS "):
            self._done = True
            self.updated.set()
            assert self.release.wait(60), "the test never let the first writer commit"


def _waiting_on_a_lock(admin: Engine, name: str) -> bool:
    with admin.connect() as c:
        return bool(
            c.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE application_name = :name AND wait_event_type = 'Lock'"
                ),
                {"name": name},
            ).scalar_one()
        )


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_supervisors_verifying_one_ticket_at_once_one_is_refused(
    ledger: Ledger,
    machines: tuple[TicketService, TicketService, Engine, str],
    postgres_admin: Engine,
) -> None:
    a, b, a_engine, b_name = machines
    ticket_id = _ticket_for_supervision(ledger, a)
    assert a.ticket(ticket_id).state is State.VERIFYING
    version = a.ticket(ticket_id).version
    held = HeldAfterUpdate(a_engine)
    with ThreadPoolExecutor(2) as pool:
        try:
            # supervisor 1 on web server A finds the report true: accountability
            first = pool.submit(
                a.verify, ticket_id, a.actor("jiwei1"), None, Conclusion.ACCOUNTABILITY, "情况属实"
            )
            assert held.updated.wait(30), first.result(timeout=1)
            # supervisor 2 on web server B, from the same reading, finds it unfounded
            second = pool.submit(
                b.verify, ticket_id, b.actor("jiwei2"), True, Conclusion.INVALID, "查无实据"
            )
            for _ in range(300):  # until B's UPDATE waits on the row A holds
                if _waiting_on_a_lock(postgres_admin, b_name) or second.done():
                    break
                time.sleep(0.1)
            assert not second.done(), second.result()  # it did not get past A's lock
            assert _waiting_on_a_lock(postgres_admin, b_name)
        finally:
            held.release.set()
        closed = first.result(timeout=30)
        with pytest.raises(TicketConflict) as refused:
            second.result(timeout=30)
    assert closed.state is State.CLOSED
    assert "已被他人更新（当前状态：办结），本次操作未保存" in str(refused.value)
    t = a.ticket(ticket_id)
    assert (t.state, t.version) == (State.CLOSED, version + 1)
    verifications = [e for e in a.store.events(ticket_id) if e.event == "verify"]
    assert [e.actor for e in verifications] == ["jiwei1"]
