"""Which processes placing calls are alive, and which open call attempts nobody owns.

Each controller renews a lease while it runs. A call attempt records the process that
placed it; an attempt left open is taken over only when its owner's lease has run out
(or the owner is the asking process itself, restarted under the same ARI app name),
so several controllers can share one ledger without closing each other's calls.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import CallAttempt, ControllerLease
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert


class Leases:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def renew(self, owner: str, ttl: float, now: datetime, host: str = "", pid: int = 0) -> None:
        """Keep ``owner`` alive until ``now + ttl`` seconds."""
        expires = now + timedelta(seconds=ttl)
        with transaction(self._sessions, "leases.renew") as s:
            stmt = insert(s, ControllerLease).values(
                owner=owner, host=host, pid=pid, started_at=now, expires_at=expires
            )
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[ControllerLease.owner], set_={"expires_at": expires}
                )
            )

    def drop(self, owner: str) -> None:
        """An orderly stop: the owner's open attempts are free to recover at once."""
        with transaction(self._sessions, "leases.drop") as s:
            s.execute(delete(ControllerLease).where(ControllerLease.owner == owner))

    def live(self, now: datetime) -> set[str]:
        with transaction(self._sessions, "leases.live") as s:
            stmt = select(ControllerLease.owner).where(ControllerLease.expires_at > now)
            return set(s.execute(stmt).scalars())

    def orphaned_attempts(self, me: str, now: datetime) -> list[str]:
        """Open attempts owned by no live process other than ``me``, oldest first.

        ``me``'s own are included: its app name is unique among live processes, so an
        open attempt of ``me`` that it is not running was left by its previous run.
        Attempts without an owner predate owners and are orphans too.
        """
        with transaction(self._sessions, "leases.orphaned_attempts") as s:
            alive = select(ControllerLease.owner).where(
                ControllerLease.expires_at > now, ControllerLease.owner != me
            )
            stmt = (
                select(CallAttempt.id)
                .where(
                    CallAttempt.ended_at.is_(None),
                    or_(CallAttempt.owner.is_(None), CallAttempt.owner.not_in(alive)),
                )
                .order_by(CallAttempt.started_at, CallAttempt.id)
            )
            return list(s.execute(stmt).scalars())
