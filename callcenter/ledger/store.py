"""Reading calls back: the one read model behind the 台账's pages, its export and its
command line.

Values come back as plain dataclasses, phone numbers included as stored: masking is
the caller's decision, made where it knows who is asking.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload, sessionmaker

from callcenter.agents.remarks import agent_remarks
from callcenter.calls.records import (
    AttemptView,
    RecordingView,
    attempt_view,
    recording_view,
)
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.store import case_view
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.transaction import transaction
from callcenter.ledger import taizhang as tz
from callcenter.ledger.record import CallRecord, call_record
from callcenter.ledger.search import SearchQuery, SearchResult, matching
from callcenter.tickets.remarks import ticket_remarks


@dataclass(frozen=True)
class UnitView:
    name: str
    kind: str
    parent: str | None


class LedgerReader:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def units(self) -> list[UnitView]:
        """Every unit, each 局 followed by its 所 and 窗口."""
        with transaction(self._sessions, "ledger.units") as s:
            rows = s.execute(select(Unit)).scalars().all()
        names = {u.id: u.name for u in rows}
        units = [
            UnitView(u.name, u.kind, None if u.parent_id is None else names.get(u.parent_id))
            for u in rows
        ]
        return sorted(units, key=lambda u: (u.parent or u.name, u.parent is not None, u.name))

    def months(self) -> list[str]:
        """The Beijing months from the first call placed to the last, newest first."""
        with transaction(self._sessions, "ledger.months") as s:
            first, last = s.execute(
                select(func.min(CallAttempt.started_at), func.max(CallAttempt.started_at))
            ).one()
        if first is None or last is None:
            return []
        # min()/max() bypass the column type on SQLite, so the values may be naive UTC.
        first, last = _as_utc(first), _as_utc(last)
        start, end = tz.format_call_time(first)[:7], tz.format_call_time(last)[:7]
        months: list[str] = []
        year, mon = int(end[:4]), int(end[5:])
        while f"{year:04d}-{mon:02d}" >= start:
            months.append(f"{year:04d}-{mon:02d}")
            year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
        return months

    def search(self, query: SearchQuery) -> SearchResult:
        """Call attempts, finished or not, matching every filter given, newest first, one
        page of them."""
        page = max(1, query.page)
        with transaction(self._sessions, "ledger.search") as s:
            stmt = matching(s, query)
            total = s.execute(
                select(func.count()).select_from(stmt.with_only_columns(CallAttempt.id).subquery())
            ).scalar_one()
            attempts = _loaded(
                s,
                stmt,
                newest_first=True,
                limit=query.page_size,
                offset=(page - 1) * query.page_size,
            )
            hits = _records(s, attempts, _ids([a.id for a in attempts]))
        return SearchResult(hits, total, page, query.page_size)

    def calls(
        self,
        month: str | None = None,
        unit: str | None = None,
        attempt_ids: Collection[str] | None = None,
    ) -> list[CallRecord]:
        """The finished calls of the 台账 in the order they were placed: of one Beijing
        month (YYYY-MM), one unit with its 所 and 窗口, or the attempts named."""
        query = SearchQuery(month=month, unit=unit, attempt_ids=attempt_ids)
        with transaction(self._sessions, "ledger.calls") as s:
            stmt = matching(s, query).where(CallAttempt.ended_at.is_not(None))
            attempts = _loaded(s, stmt)
            return _records(s, attempts, stmt.with_only_columns(CallAttempt.id))

    def taizhang(
        self,
        month: str | None = None,
        unit: str | None = None,
        attempt_ids: Collection[str] | None = None,
    ) -> list[tz.TaizhangRow]:
        """The 台账: one row per finished call, chosen and ordered as ``calls`` does."""
        rows = []
        for record in self.calls(month, unit, attempt_ids):
            if record.taizhang is None:  # finish_attempt sets both; only a hand edit gets here
                raise LedgerError(f"attempt {record.attempt.id!r} has ended_at but no outcome")
            rows.append(record.taizhang)
        return rows

    def find(self, attempt_id: str) -> CallRecord | None:
        """Everything known about one call attempt; None if there is none."""
        with transaction(self._sessions, "ledger.find") as s:
            attempts = _loaded(s, matching(s, SearchQuery(attempt_ids=[attempt_id])))
            records = _records(s, attempts, _ids([attempt_id]))
        return records[0] if records else None

    def call(self, attempt_id: str) -> CallRecord:
        """Everything known about one call attempt; LedgerError if there is none."""
        record = self.find(attempt_id)
        if record is None:
            raise LedgerError(f"unknown call attempt {attempt_id!r}")
        return record

    def attempts_of_case(self, case_id: int) -> list[AttemptView]:
        """Every attempt to call the case, in order."""
        with transaction(self._sessions, "ledger.attempts_of_case") as s:
            rows = s.execute(
                select(CallAttempt)
                .where(CallAttempt.case_id == case_id)
                .options(selectinload(CallAttempt.answers).joinedload(AnswerRow.recording))
                .order_by(CallAttempt.attempt_no, CallAttempt.id)
            ).scalars()
            return [attempt_view(a) for a in rows]


def _loaded(
    s: Session,
    stmt: Select[Any],
    *,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[CallAttempt]:
    """The attempts ``stmt`` selects (joined to case and unit as ``matching`` does), with
    their case, unit, answers and answers' recordings, in the order calls were placed (or
    the reverse)."""
    order = (CallAttempt.started_at, CallAttempt.id)
    stmt = stmt.options(
        contains_eager(CallAttempt.case).contains_eager(Case.unit),
        selectinload(CallAttempt.answers).joinedload(AnswerRow.recording),
    ).order_by(*(c.desc() for c in order) if newest_first else order)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(s.execute(stmt).scalars())


def _ids(attempt_ids: list[str]) -> Select[Any]:
    return select(CallAttempt.id).where(CallAttempt.id.in_(attempt_ids))


def _records(s: Session, attempts: list[CallAttempt], ids: Select[Any]) -> list[CallRecord]:
    """The records of ``attempts``, whose ids ``ids`` selects; the one place a call's
    parts are put together."""
    if not attempts:
        return []
    ids = ids.order_by(None)
    recordings: dict[str, list[RecordingView]] = {}
    for r in s.execute(
        select(Recording)
        .where(Recording.attempt_id.in_(ids))
        .order_by(Recording.kind != "call", Recording.id)
    ).scalars():
        recordings.setdefault(r.attempt_id, []).append(recording_view(r))
    remarks = agent_remarks(s, ids)
    tickets = ticket_remarks(s, ids)
    return [
        call_record(
            case_view(a.case),
            attempt_view(a),
            recordings.get(a.id, []),
            remarks.get(a.id, ""),
            tickets.get(a.id, ""),
        )
        for a in attempts
    ]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
