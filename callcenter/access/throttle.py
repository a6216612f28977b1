"""How many password guesses a login form lets through: per account and per client
address, decided by the database.

Each try is counted as a failure before its password is checked (``admit``) and given
back when the password was right (``succeeded``). The two rows a try touches are locked
in one transaction (PostgreSQL row locks in key order; SQLite's write lock, taken at
BEGIN), so of any number of concurrent guesses only those the limit allows are checked.

After ``free`` failures a key waits ``first_delay``, doubled with each further failure
up to its cap; a key quiet for ``forget_after`` after its last wait is forgotten. A try
that is refused is not counted, so knocking on a locked door does not keep it locked.

An account's wait is capped lower than an address's, and it holds back only addresses
that have failed themselves: the real user, from an address with no failures, is never
kept out by a stranger's guesses. What stops a stranger is the address limit; one with
many addresses gets one checked guess per fresh address, and the account's wait once
those addresses have failed.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access.tables import LoginThrottle as Row
from callcenter.kernel.clock import Clock
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert
from callcenter.web.config import WebSettings

# 2**20 × the first delay is far beyond any cap; keeps the arithmetic finite.
_MAX_DOUBLINGS = 20


@dataclass(frozen=True)
class Limit:
    free: int  # failures before the first wait
    cap: timedelta  # the longest wait


@dataclass(frozen=True)
class ThrottlePolicy:
    account: Limit = Limit(5, timedelta(minutes=15))
    address: Limit = Limit(20, timedelta(hours=1))
    first_delay: timedelta = timedelta(seconds=30)
    forget_after: timedelta = timedelta(minutes=15)

    def wait(self, failures: int, limit: Limit) -> timedelta | None:
        """How long a key with ``failures`` waits before its next try; None: no wait."""
        if failures < limit.free:
            return None
        doublings = min(failures - limit.free, _MAX_DOUBLINGS)
        return min(self.first_delay * 2**doublings, limit.cap)


def policy_of(settings: WebSettings) -> ThrottlePolicy:
    return ThrottlePolicy(
        account=Limit(
            settings.login_max_failures,
            timedelta(minutes=settings.login_account_max_wait_minutes),
        ),
        address=Limit(
            settings.login_address_max_failures,
            timedelta(minutes=settings.login_address_max_wait_minutes),
        ),
        first_delay=timedelta(seconds=settings.login_first_wait_seconds),
        forget_after=timedelta(minutes=settings.login_window_minutes),
    )


class Held(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Admission:
    """Whether a try may check its password; when not, which key holds it back and for
    how long still."""

    allowed: bool
    held_by: Held | None = None
    retry_after: timedelta = timedelta(0)

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))


class LoginThrottle:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, policy: ThrottlePolicy | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.policy = policy or ThrottlePolicy()

    def admit(self, username: str, remote: str) -> Admission:
        """Count a failed try for ``username`` from ``remote`` now, or refuse the try."""
        now = self._clock.now()
        p = self.policy
        # What nobody will ask about again, forgotten even after the longest wait; in a
        # transaction of its own, so that its locks never meet the two rows' below.
        with transaction(self._sessions, "login_throttle.purge") as s:
            stale = now - p.forget_after - max(p.account.cap, p.address.cap)
            s.execute(delete(Row).where(Row.last_failure_at < stale))
        with transaction(self._sessions, "login_throttle.admit") as s:
            account, address = _locked(s, account_key(username), address_key(remote), now)
            for row in (account, address):
                _forget_if_quiet(row, now, p.forget_after)
            if address.blocked_until is not None and address.blocked_until > now:
                return Admission(False, Held.ADDRESS, address.blocked_until - now)
            clean = address.failures == 0
            if not clean and account.blocked_until is not None and account.blocked_until > now:
                return Admission(False, Held.ACCOUNT, account.blocked_until - now)
            for row, limit in ((account, p.account), (address, p.address)):
                row.failures += 1
                row.last_failure_at = now
                wait = p.wait(row.failures, limit)
                if wait is not None:
                    row.blocked_until = now + wait
            return Admission(True)

    def succeeded(self, username: str, remote: str) -> None:
        """The admitted try had the right password: the account starts afresh, and the
        address gets back the failure counted for this try."""
        now = self._clock.now()
        with transaction(self._sessions, "login_throttle.succeeded") as s:
            account, address = _locked(s, account_key(username), address_key(remote), now)
            account.failures = 0
            account.blocked_until = None
            address.failures = max(0, address.failures - 1)
            if self.policy.wait(address.failures, self.policy.address) is None:
                address.blocked_until = None


def account_key(username: str) -> str:
    return "account:" + username[:64]


def address_key(remote: str) -> str:
    """One key per IPv4 address and per IPv6 /64 (what one subscriber usually holds)."""
    try:
        ip = ipaddress.ip_address(remote)
    except ValueError:
        return "address:" + (remote[:64] or "unknown")
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.IPv6Network((ip, 64), strict=False)}"
    return f"address:{ip}"


def _locked(s: Session, account: str, address: str, now: datetime) -> tuple[Row, Row]:
    """Both rows, created if missing, locked until the transaction ends, in key order so
    that two tries never wait for each other. The upsert's no-op update takes the lock
    (a row a purge removed meanwhile is simply inserted again)."""
    rows = {}
    for key in sorted((account, address)):
        s.execute(
            insert(s, Row)
            .values(key=key, failures=0, last_failure_at=now, blocked_until=None)
            .on_conflict_do_update(index_elements=[Row.key], set_={"failures": Row.failures})
        )
        rows[key] = s.execute(
            select(Row).where(Row.key == key).execution_options(populate_existing=True)
        ).scalar_one()
    return rows[account], rows[address]


def _forget_if_quiet(row: Row, now: datetime, forget_after: timedelta) -> None:
    quiet_since = max(row.last_failure_at, row.blocked_until or row.last_failure_at)
    if now - quiet_since >= forget_after:
        row.failures = 0
        row.blocked_until = None
