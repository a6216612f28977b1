"""The login throttle's counts, on SQLite and PostgreSQL: decided by the database even
when tries race each other."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.access.throttle import (
    Held,
    Limit,
    LoginThrottle,
    ThrottlePolicy,
    address_key,
)
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def throttle(ledger_engine: Engine, clock: FixedClock) -> LoginThrottle:
    return LoginThrottle(session_factory(ledger_engine), clock)


def test_concurrent_tries_pass_only_up_to_the_limit(
    ledger_engine: Engine, clock: FixedClock
) -> None:
    # Each thread its own throttle over the same database, as separate processes would be.
    sessions = session_factory(ledger_engine)
    start = threading.Barrier(24)
    results: list[bool] = []
    lock = threading.Lock()

    def guess() -> None:
        throttle = LoginThrottle(sessions, clock)
        start.wait()
        admitted = throttle.admit("ducha1", "192.0.2.1").allowed
        with lock:
            results.append(admitted)

    threads = [threading.Thread(target=guess) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 24
    assert results.count(True) == 5


def test_concurrent_tries_from_one_address(ledger_engine: Engine, clock: FixedClock) -> None:
    sessions = session_factory(ledger_engine)
    start = threading.Barrier(40)
    admitted: list[str] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        throttle = LoginThrottle(sessions, clock)
        start.wait()
        if throttle.admit(f"name{i}", "203.0.113.7").allowed:
            with lock:
                admitted.append(f"name{i}")

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 20


def test_waits_double_up_to_the_cap() -> None:
    policy = ThrottlePolicy()
    waits = [policy.wait(n, policy.account) for n in range(3, 12)]
    assert waits[:2] == [None, None]
    assert [w.total_seconds() for w in waits[2:] if w] == [30, 60, 120, 240, 480, 900, 900]
    assert policy.wait(10**6, policy.address) == timedelta(hours=1)


def test_a_right_password_gives_the_try_back(throttle: LoginThrottle) -> None:
    for _ in range(4):
        assert throttle.admit("ducha1", "192.0.2.1").allowed
    assert throttle.admit("ducha1", "192.0.2.1").allowed  # the fifth: the account now waits
    throttle.succeeded("ducha1", "192.0.2.1")
    # The account starts afresh; the address keeps its four failures.
    for _ in range(4):
        assert throttle.admit("ducha1", "192.0.2.1").allowed
    refused = throttle.admit("ducha1", "192.0.2.1")
    assert refused.allowed  # account at five again, address at nine: both still let it check
    refused = throttle.admit("ducha1", "192.0.2.1")
    assert not refused.allowed and refused.held_by is Held.ACCOUNT


def test_a_clean_address_is_not_held_back_by_the_account(
    throttle: LoginThrottle, clock: FixedClock
) -> None:
    for i in range(5):
        assert throttle.admit("ducha1", f"192.0.2.{i}").allowed
    held = throttle.admit("ducha1", "192.0.2.0")
    assert not held.allowed and held.held_by is Held.ACCOUNT
    assert held.retry_after == timedelta(seconds=30)
    office = throttle.admit("ducha1", "198.51.100.20")
    assert office.allowed
    throttle.succeeded("ducha1", "198.51.100.20")
    # and that address is still clean after logging in
    assert throttle.admit("ducha1", "198.51.100.20").allowed


def test_refused_tries_are_not_counted(throttle: LoginThrottle, clock: FixedClock) -> None:
    for i in range(5):
        throttle.admit("ducha1", f"192.0.2.{i}")
    for _ in range(29):
        clock.advance(1)
        assert not throttle.admit("ducha1", "192.0.2.0").allowed
    clock.advance(1)
    assert throttle.admit("ducha1", "192.0.2.0").allowed


def test_a_quiet_key_is_forgotten(throttle: LoginThrottle, clock: FixedClock) -> None:
    for i in range(5):
        throttle.admit("ducha1", f"192.0.2.{i}")
    clock.advance(30 + 15 * 60)  # the wait, then a quarter of an hour of quiet
    for i in range(4):
        assert throttle.admit("ducha1", f"192.0.2.{i}").allowed
    # counted from one again: the fifth failure waits 30 s, not the sixth's 60 s
    assert throttle.admit("ducha1", "192.0.2.4").allowed
    assert throttle.admit("ducha1", "192.0.2.4").retry_after == timedelta(seconds=30)


def test_policy_from_limits(ledger_engine: Engine, clock: FixedClock) -> None:
    policy = ThrottlePolicy(
        account=Limit(1, timedelta(seconds=10)), address=Limit(100, timedelta(hours=1))
    )
    throttle = LoginThrottle(session_factory(ledger_engine), clock, policy)
    assert throttle.admit("a", "192.0.2.1").allowed
    refused = throttle.admit("a", "192.0.2.1")
    assert not refused.allowed and refused.retry_after_seconds == 10


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("192.0.2.1", "address:192.0.2.1"),
        ("::ffff:192.0.2.1", "address:192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "address:2001:db8:1:2::/64"),
        ("", "address:unknown"),
        ("/run/callcenter.sock", "address:/run/callcenter.sock"),
    ],
)
def test_address_keys(remote: str, key: str) -> None:
    assert address_key(remote) == key
