"""Bulk writes of imported cases: thousands of rows per statement, not one per row.

A case number already stored is left untouched (ON CONFLICT DO NOTHING), so a file
imported twice, or two imports racing, add each case once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cases.tables import Case, Unit
from callcenter.kernel.orm import utcnow
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert

_CHUNK = 2000


@dataclass(frozen=True)
class CaseRow:
    case_no: str
    bureau: str
    unit: str
    unit_kind: str  # window / station / bureau
    matter: str
    applicant_name: str
    title: str
    org: str
    phone: str
    completed_on: date
    is_complaint: bool


class CaseImport:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def write(self, rows: Sequence[CaseRow]) -> int:
        """Store the cases not stored yet; return how many were new."""
        with transaction(self._sessions, "import cases") as s:
            unit_ids = self._units(s, rows)
            before = s.execute(select(func.count()).select_from(Case)).scalar_one()
            now = utcnow()
            for start in range(0, len(rows), _CHUNK):
                values = [
                    {
                        "case_no": r.case_no,
                        "unit_id": unit_ids[r.unit],
                        "applicant_name": r.applicant_name,
                        "applicant_org": r.org,
                        "title": r.title,
                        "phone": r.phone,
                        "matter": r.matter,
                        "completed_on": r.completed_on,
                        "is_complaint": r.is_complaint,
                        "created_at": now,
                    }
                    for r in rows[start : start + _CHUNK]
                ]
                stmt = insert(s, Case).on_conflict_do_nothing(index_elements=[Case.case_no])
                s.execute(stmt, values)
            after = s.execute(select(func.count()).select_from(Case)).scalar_one()
            return after - before

    def _units(self, s: Session, rows: Iterable[CaseRow]) -> dict[str, int]:
        """Ids of every unit the rows name, creating the missing ones under their bureau.

        A unit already known keeps its kind and parent: an export does not reclassify.
        """
        bureaus = sorted({r.bureau for r in rows})
        subunits: dict[str, tuple[str, str]] = {}
        for r in rows:
            if r.unit not in bureaus:
                subunits.setdefault(r.unit, (r.unit_kind, r.bureau))
        if bureaus:
            s.execute(
                insert(s, Unit)
                .values([{"name": b, "kind": "bureau", "parent_id": None} for b in bureaus])
                .on_conflict_do_nothing(index_elements=[Unit.name])
            )
        ids = self._ids(s, bureaus)
        if subunits:
            s.execute(
                insert(s, Unit)
                .values(
                    [
                        {"name": name, "kind": kind, "parent_id": ids[bureau]}
                        for name, (kind, bureau) in sorted(subunits.items())
                    ]
                )
                .on_conflict_do_nothing(index_elements=[Unit.name])
            )
        ids.update(self._ids(s, list(subunits)))
        return ids

    @staticmethod
    def _ids(s: Session, names: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            out.update(s.execute(select(Unit.name, Unit.id).where(Unit.name.in_(chunk))).all())
        return out
