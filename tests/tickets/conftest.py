"""A service over a migrated ledger (SQLite and PostgreSQL, from ``db_url``) with three
units, a liaison per 所, a supervisor and an auditor."""

from __future__ import annotations

import pytest

from callcenter.access.passwords import hash_password
from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.tickets.service import TicketService
from tests.tickets.fixtures import (
    BUREAU,
    OTHER_STATION,
    STATION,
    add_units,
    add_user,
    beijing,
    make_service,
)
from tests.tickets.site import PASSWORD


@pytest.fixture
def clock() -> FixedClock:
    # Friday 13 February 2026, 16:00: the last working day before the Spring Festival
    # holiday but one make-up Saturday
    return FixedClock(beijing(2026, 2, 13, 16, 0))


@pytest.fixture
def units(ledger: Ledger) -> None:
    add_units(ledger)


@pytest.fixture
def people(ledger: Ledger, units: None) -> None:
    add_user(ledger, "lianluo1", "liaison", STATION)
    add_user(ledger, "lianluo2", "liaison", OTHER_STATION)
    add_user(ledger, "jiwei1", "supervisor")
    add_user(ledger, "jiwei_qiuqiu", "supervisor", STATION)
    add_user(ledger, "juzhang", "liaison", BUREAU)
    add_user(ledger, "ducha1", "auditor")


@pytest.fixture
def service(ledger: Ledger, clock: FixedClock, people: None) -> TicketService:
    return make_service(ledger, clock)


@pytest.fixture(scope="session")
def ticket_password_hash() -> str:
    # Argon2 is slow on purpose: once per session
    return hash_password(PASSWORD)
