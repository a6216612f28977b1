"""Stored cases: the one shape every feature reads a case in, and bulk imports.

``CaseView`` is a stored 办件 with its unit, as the 台账, the agents' screens and the
campaign's draw see it; ``CaseImport`` writes thousands of rows per statement, not one
per row. A case number already stored is compared with the row imported for it: the
fields that differ are reported, and changed only when asked (``update``), so a file
imported twice, or two imports racing, add each case once, and a corrected export can
put right what a wrong one filed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy import update as update_statement
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cases.tables import Case, Unit
from callcenter.interview.case import CaseInfo
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert

_CHUNK = 2000


@dataclass(frozen=True)
class CaseView:
    """A stored 办件 with the name and kind of the unit that handled it."""

    id: int
    case_no: str
    unit: str  # the 所, 窗口 or 局 that handled the case
    unit_kind: str  # bureau / window / station
    applicant_name: str
    title: str  # 先生 / 女士, empty when unknown
    applicant_org: str  # the applicant's organisation, empty for a person
    phone: str = field(repr=False)  # as stored; masking is for whoever shows it
    matter: str
    completed_on: date
    is_complaint: bool
    handler: str = ""  # 办案人 / 经办人, empty when the export has none

    @property
    def applicant(self) -> str:
        """Who the case was for: the organisation, else the person with 先生 / 女士."""
        return self.applicant_org or f"{self.applicant_name}{self.title}"

    def info(self) -> CaseInfo:
        """The case as a follow-up call needs it."""
        return CaseInfo(
            case_id=self.id,
            applicant_name=self.applicant_name,
            phone=self.phone,
            unit=self.unit,
            matter=self.matter,
            completed_on=self.completed_on,
            title=self.title,
            extra={"org": self.applicant_org} if self.applicant_org else {},
            case_no=self.case_no,
            handler=self.handler,
        )


# In the order of CaseView's fields, for queries that read cases as columns.
CASE_COLUMNS = (
    Case.id,
    Case.case_no,
    Unit.name,
    Unit.kind,
    Case.applicant_name,
    Case.title,
    Case.applicant_org,
    Case.phone,
    Case.matter,
    Case.completed_on,
    Case.is_complaint,
    Case.handler,
)


def select_cases() -> Select[*tuple[Any, ...]]:
    """Cases with their unit as ``CASE_COLUMNS``; add columns after them, filters, joins."""
    return select(*CASE_COLUMNS).join(Unit, Unit.id == Case.unit_id)


def case_from_columns(values: Sequence[Any]) -> CaseView:
    """The case in the first ``len(CASE_COLUMNS)`` values of a row of ``select_cases``."""
    return CaseView(*values[: len(CASE_COLUMNS)])


def case_view(case: Case) -> CaseView:
    """A loaded case row (its unit loaded with it) as a CaseView."""
    return CaseView(
        id=case.id,
        case_no=case.case_no,
        unit=case.unit.name,
        unit_kind=case.unit.kind,
        applicant_name=case.applicant_name,
        title=case.title,
        applicant_org=case.applicant_org,
        phone=case.phone,
        matter=case.matter,
        completed_on=case.completed_on,
        is_complaint=case.is_complaint,
        handler=case.handler,
    )


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
    handler: str = ""


# the fields of a case an import compares with the ledger, in CaseRow's names
COMPARED = (
    "unit",
    "matter",
    "applicant_name",
    "title",
    "org",
    "phone",
    "completed_on",
    "is_complaint",
    "handler",
)
_STORED = (
    Case.id,
    Case.case_no,
    Unit.name,
    Case.matter,
    Case.applicant_name,
    Case.title,
    Case.applicant_org,
    Case.phone,
    Case.completed_on,
    Case.is_complaint,
    Case.handler,
)


@dataclass(frozen=True)
class Difference:
    """A case whose imported row does not say what the ledger holds."""

    case_no: str
    # (field, as stored, as imported), in COMPARED's names
    fields: tuple[tuple[str, object, object], ...]


@dataclass
class Saved:
    inserted: int = 0  # new cases
    unchanged: int = 0  # stored already, the same in every compared field
    differing: list[Difference] = field(default_factory=list)
    updated: int = 0  # of the differing, changed to what the file says


class CaseImport:
    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    def write(self, rows: Sequence[CaseRow]) -> int:
        """Store the cases not stored yet; return how many were new."""
        return self.save(rows).inserted

    def save(self, rows: Sequence[CaseRow], *, update: bool = False) -> Saved:
        """Store the new cases, compare the others with the ledger and, with ``update``,
        make the ones that differ say what the rows say."""
        with transaction(self._sessions, "import cases") as s:
            stored = self._stored(s, [r.case_no for r in rows])
            new, changed = [], []
            saved = Saved()
            for r in rows:
                before = stored.get(r.case_no)
                if before is None:
                    new.append(r)
                    continue
                case_id, values = before
                diff = tuple(
                    (f, values[f], getattr(r, f)) for f in COMPARED if values[f] != getattr(r, f)
                )
                if diff:
                    saved.differing.append(Difference(r.case_no, diff))
                    changed.append((case_id, r))
                else:
                    saved.unchanged += 1
            if not update:
                changed = []
            unit_ids = self._units(s, [*new, *(r for _, r in changed)])
            saved.inserted = self._insert(s, new, unit_ids)
            if changed:
                s.execute(
                    update_statement(Case),
                    [{"id": case_id, **_values(r, unit_ids)} for case_id, r in changed],
                )
                saved.updated = len(changed)
            return saved

    def _insert(self, s: Session, rows: Sequence[CaseRow], unit_ids: dict[str, int]) -> int:
        if not rows:
            return 0
        before = s.execute(select(func.count()).select_from(Case)).scalar_one()
        now = self._clock.now()
        for start in range(0, len(rows), _CHUNK):
            values = [
                {"case_no": r.case_no, "created_at": now, **_values(r, unit_ids)}
                for r in rows[start : start + _CHUNK]
            ]
            # a case another import stored meanwhile stays as that import left it
            stmt = insert(s, Case).on_conflict_do_nothing(index_elements=[Case.case_no])
            s.execute(stmt, values)
        after = s.execute(select(func.count()).select_from(Case)).scalar_one()
        return int(after - before)

    @staticmethod
    def _stored(s: Session, case_nos: list[str]) -> dict[str, tuple[int, dict[str, object]]]:
        """case_no → (id, compared fields) of the cases already stored."""
        out: dict[str, tuple[int, dict[str, object]]] = {}
        for start in range(0, len(case_nos), _CHUNK):
            chunk = case_nos[start : start + _CHUNK]
            # the numbers as literals: PostgreSQL can then hash the list or probe the
            # index, where with 2,000 parameters and a table not analysed since the last
            # import it compared every row with each in turn (minutes for 100,000 cases)
            numbers: BindParameter[list[str]] = bindparam(
                "numbers", chunk, expanding=True, literal_execute=True
            )
            stmt = (
                select(*_STORED)
                .join(Unit, Unit.id == Case.unit_id)
                .where(Case.case_no.in_(numbers))
            )
            for case_id, case_no, *values in s.execute(stmt):
                out[case_no] = (case_id, dict(zip(COMPARED, values, strict=True)))
        return out

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


def _values(r: CaseRow, unit_ids: dict[str, int]) -> dict[str, object]:
    """The columns of a case as a row gives them (all but its number and creation)."""
    return {
        "unit_id": unit_ids[r.unit],
        "applicant_name": r.applicant_name,
        "applicant_org": r.org,
        "title": r.title,
        "phone": r.phone,
        "matter": r.matter,
        "completed_on": r.completed_on,
        "is_complaint": r.is_complaint,
        "handler": r.handler,
    }
