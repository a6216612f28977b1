"""The people tickets concern: the unit each user is bound to, where their notices go,
and who is told about a ticket.

Bindings live in the access feature's ``user_units`` table; this module writes them
because binding a liaison is part of running the 整改 loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access.permissions import Permission, allowed
from callcenter.access.tables import UnitBinding, User
from callcenter.cases.tables import Unit
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import AccountError
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert
from callcenter.tickets.machine import Kind
from callcenter.tickets.records import TicketView
from callcenter.tickets.scope import LIAISON, Actor
from callcenter.tickets.tables import TicketRecipient
from callcenter.tickets.units import subtree

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    role: str
    email: str


class Staff:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def actor(self, username: str) -> Actor:
        """The enabled user ``username`` with the unit they are bound to."""
        with transaction(self._sessions, "tickets.actor") as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None or user.disabled:
                state = "不存在" if user is None else "已停用"
                raise AccountError(f"用户 {username!r} {state}")
            binding = s.get(UnitBinding, user.id)
            if binding is None:
                return Actor(user.username, user.role)
            unit = s.get(Unit, binding.unit_id)
            return Actor(
                user.username,
                user.role,
                binding.unit_id,
                unit.name if unit is not None else "",
                frozenset(subtree(s, binding.unit_id)),
            )

    def bind(self, username: str, unit: str) -> None:
        """Bind ``username`` to ``unit`` (replacing an earlier binding)."""
        with transaction(self._sessions, "tickets.bind") as s:
            user_id = _user_id(s, username)
            unit_id = s.execute(select(Unit.id).where(Unit.name == unit)).scalar_one_or_none()
            if unit_id is None:
                raise AccountError(f"没有名为 {unit!r} 的单位（先导入该单位的办件）")
            stmt = insert(s, UnitBinding).values(
                user_id=user_id, unit_id=unit_id, bound_at=self._clock.now()
            )
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[UnitBinding.user_id],
                    set_={"unit_id": unit_id, "bound_at": self._clock.now()},
                )
            )

    def unbind(self, username: str) -> bool:
        with transaction(self._sessions, "tickets.unbind") as s:
            result = s.execute(
                delete(UnitBinding).where(UnitBinding.user_id == _user_id(s, username))
            )
            return bool(getattr(result, "rowcount", 0))

    def set_email(self, username: str, email: str | None) -> None:
        """Where ``username``'s notices go; None stops them."""
        if email is not None and not _EMAIL.match(email):
            raise AccountError(f"{email!r} 不是电子邮件地址")
        with transaction(self._sessions, "tickets.set_email") as s:
            user_id = _user_id(s, username)
            if email is None:
                s.execute(delete(TicketRecipient).where(TicketRecipient.user_id == user_id))
                return
            stmt = insert(s, TicketRecipient).values(user_id=user_id, email=email)
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[TicketRecipient.user_id], set_={"email": email}
                )
            )

    def bindings(self) -> list[tuple[str, str, str, str]]:
        """(user, role, bound unit, mail address) of every enabled user."""
        with transaction(self._sessions, "tickets.bindings") as s:
            rows = s.execute(
                select(User.username, User.role, Unit.name, TicketRecipient.email)
                .outerjoin(UnitBinding, UnitBinding.user_id == User.id)
                .outerjoin(Unit, Unit.id == UnitBinding.unit_id)
                .outerjoin(TicketRecipient, TicketRecipient.user_id == User.id)
                .where(User.disabled.is_(False))
                .order_by(User.username)
            )
            return [(u, r, n or "", e or "") for u, r, n, e in rows]

    def recipients(self, ticket: TicketView) -> list[Recipient]:
        """Who is told about ``ticket``: the liaisons who see it, and supervision."""
        with transaction(self._sessions, "tickets.recipients") as s:
            rows = s.execute(
                select(
                    User.id, User.username, User.role, TicketRecipient.email, UnitBinding.unit_id
                )
                .join(TicketRecipient, TicketRecipient.user_id == User.id)
                .outerjoin(UnitBinding, UnitBinding.user_id == User.id)
                .where(User.disabled.is_(False))
                .order_by(User.id)
            ).all()
            out = []
            for user_id, username, role, email, unit_id in rows:
                if role == LIAISON:
                    if ticket.kind is Kind.MISCONDUCT or unit_id is None:
                        continue
                    if ticket.unit_id not in subtree(s, unit_id):
                        continue
                elif not allowed(role, Permission.VERIFY_TICKETS):
                    continue
                out.append(Recipient(user_id, username, role, email))
            return out


def _user_id(s: Session, username: str) -> int:
    user_id = s.execute(select(User.id).where(User.username == username)).scalar_one_or_none()
    if user_id is None:
        raise AccountError(f"用户 {username!r} 不存在")
    return user_id
