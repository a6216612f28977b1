"""The units tickets belong to: a unit with the units under it (a 局 with its 所 and 窗口),
and the list the pages filter by."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cases.tables import Unit
from callcenter.kernel.transaction import transaction


class Units:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> list[tuple[int, str, int | None]]:
        """(id, name, parent id) of every unit, each 局 followed by its 所 and 窗口."""
        with transaction(self._sessions, "tickets.units") as s:
            rows = [(u.id, u.name, u.parent_id) for u in s.execute(select(Unit)).scalars()]
        names = {i: n for i, n, _ in rows}

        def order(row: tuple[int, str, int | None]) -> tuple[str, bool, str]:
            _, name, parent = row
            return (names.get(parent, name) if parent else name, parent is not None, name)

        return sorted(rows, key=order)

    def under(self, name: str) -> set[int]:
        """The unit called ``name`` and every unit under it; empty if there is none."""
        with transaction(self._sessions, "tickets.units_under") as s:
            unit_id = s.execute(select(Unit.id).where(Unit.name == name)).scalar_one_or_none()
            return set() if unit_id is None else subtree(s, unit_id)


def subtree(s: Session, unit_id: int) -> set[int]:
    """``unit_id`` and every unit under it."""
    found, frontier = {unit_id}, {unit_id}
    while frontier:
        children = set(s.execute(select(Unit.id).where(Unit.parent_id.in_(frontier))).scalars())
        frontier = children - found
        found |= frontier
    return found
