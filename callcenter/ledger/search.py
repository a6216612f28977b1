"""Read-only queries behind the auditors' pages: searching the 台账 and opening one call.

Values come back as plain dataclasses, phone numbers included as stored: masking is
the caller's decision, made where it knows who is asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload, sessionmaker

from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.tables import Case, Unit
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.transaction import transaction
from callcenter.ledger import taizhang as tz

PENDING = "pending"  # the outcome filter's value for calls not finished yet


class ScoreFilter(StrEnum):
    """Calls with at least one 1-5 answer of this score, or of 3 and worse."""

    S1 = "1"
    S2 = "2"
    S3 = "3"
    S4 = "4"
    S5 = "5"
    FOLLOW_UP = "3+"


@dataclass(frozen=True)
class SearchQuery:
    month: str | None = None  # YYYY-MM, Beijing time
    unit: str | None = None  # a unit's name; its 所 and 窗口 are included
    outcome: str | None = None  # an Outcome value or PENDING
    score: ScoreFilter | None = None
    keyword: str | None = None  # in transcripts
    case_text: str | None = None  # in 办件编号, applicant, organisation or 事项
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class RecordingFacts:
    id: int
    attempt_id: str
    kind: str  # 'call' | 'answer'
    question_id: str | None
    path: str
    duration_seconds: float | None
    sha256: str | None
    transcript: str | None


@dataclass(frozen=True)
class AnswerFacts:
    question_id: str
    label: str
    kind: str
    keys: str | None
    value: str | None
    score: int | None
    answered_at: datetime
    recording: RecordingFacts | None


@dataclass(frozen=True)
class CaseFacts:
    id: int
    case_no: str
    unit: str
    applicant_name: str
    applicant_org: str
    title: str
    phone: str
    matter: str
    completed_on: date
    is_complaint: bool


@dataclass(frozen=True)
class AttemptFacts:
    id: str
    attempt_no: int
    script_id: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: Outcome | None
    hangup_cause: int | None
    note: str


@dataclass(frozen=True)
class SearchHit:
    case: CaseFacts
    attempt: AttemptFacts
    answers: tuple[AnswerFacts, ...]
    recordings: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class CallFacts:
    case: CaseFacts
    attempt: AttemptFacts
    answers: tuple[AnswerFacts, ...]
    call_recording: RecordingFacts | None
    answer_recordings: tuple[RecordingFacts, ...]  # in the order the questions came
    other_attempts: tuple[AttemptFacts, ...]  # of the same case, in order
    taizhang: tz.TaizhangRow | None  # the row the call makes in the 台账, once finished


@dataclass(frozen=True)
class UnitFacts:
    name: str
    kind: str
    parent: str | None


class LedgerSearch:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def units(self) -> list[UnitFacts]:
        """Every unit, each 局 followed by its 所 and 窗口."""
        with transaction(self._sessions, "search.units") as s:
            rows = s.execute(select(Unit)).scalars().all()
        names = {u.id: u.name for u in rows}
        facts = [
            UnitFacts(u.name, u.kind, None if u.parent_id is None else names.get(u.parent_id))
            for u in rows
        ]
        return sorted(facts, key=lambda u: (u.parent or u.name, u.parent is not None, u.name))

    def months(self) -> list[str]:
        """The Beijing months from the first call placed to the last, newest first."""
        with transaction(self._sessions, "search.months") as s:
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
        """Call attempts matching every filter given, newest first, one page of them."""
        page = max(1, query.page)
        with transaction(self._sessions, "search") as s:
            stmt = _filtered(s, query)
            total = s.execute(
                select(func.count()).select_from(stmt.with_only_columns(CallAttempt.id).subquery())
            ).scalar_one()
            counts = (
                select(func.count(Recording.id))
                .where(Recording.attempt_id == CallAttempt.id)
                .scalar_subquery()
            )
            rows = s.execute(
                stmt.add_columns(counts)
                .options(
                    contains_eager(CallAttempt.case).contains_eager(Case.unit),
                    selectinload(CallAttempt.answers).joinedload(AnswerRow.recording),
                )
                .order_by(CallAttempt.started_at.desc(), CallAttempt.id.desc())
                .limit(query.page_size)
                .offset((page - 1) * query.page_size)
            ).all()
            hits = [
                SearchHit(
                    _case(a.case),
                    _attempt(a),
                    tuple(_answer(r) for r in a.answers),
                    recordings,
                )
                for a, recordings in rows
            ]
        return SearchResult(hits, total, page, query.page_size)

    def call(self, attempt_id: str) -> CallFacts | None:
        """Everything known about one call attempt; None if there is none."""
        with transaction(self._sessions, "search.call") as s:
            attempt = s.get(
                CallAttempt,
                attempt_id,
                options=[
                    joinedload(CallAttempt.case).joinedload(Case.unit),
                    selectinload(CallAttempt.answers).joinedload(AnswerRow.recording),
                ],
            )
            if attempt is None:
                return None
            call_recording = s.execute(
                select(Recording)
                .where(Recording.attempt_id == attempt_id, Recording.kind == "call")
                .order_by(Recording.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            others = s.execute(
                select(CallAttempt)
                .where(CallAttempt.case_id == attempt.case_id, CallAttempt.id != attempt_id)
                .order_by(CallAttempt.attempt_no)
            ).scalars()
            answers = tuple(_answer(r) for r in attempt.answers)
            return CallFacts(
                case=_case(attempt.case),
                attempt=_attempt(attempt),
                answers=answers,
                call_recording=None if call_recording is None else _recording(call_recording),
                answer_recordings=tuple(a.recording for a in answers if a.recording is not None),
                other_attempts=tuple(_attempt(o) for o in others),
                taizhang=_taizhang_row(attempt, answers),
            )

    def recording(self, recording_id: int) -> RecordingFacts | None:
        with transaction(self._sessions, "search.recording") as s:
            row = s.get(Recording, recording_id)
            return None if row is None else _recording(row)


def _filtered(s: Session, query: SearchQuery) -> Select[CallAttempt]:
    stmt = select(CallAttempt).join(CallAttempt.case).join(Case.unit)
    if query.month:
        start, end = tz.month_bounds(query.month)
        stmt = stmt.where(CallAttempt.started_at >= start, CallAttempt.started_at < end)
    if query.unit:
        stmt = stmt.where(Case.unit_id.in_(_unit_and_children(s, query.unit)))
    if query.outcome == PENDING:
        stmt = stmt.where(CallAttempt.ended_at.is_(None))
    elif query.outcome:
        try:
            outcome = Outcome(query.outcome)
        except ValueError:
            raise LedgerError(f"outcome {query.outcome!r} is not a known outcome") from None
        stmt = stmt.where(CallAttempt.outcome == outcome.value)
    if query.score is not None:
        scored = (
            AnswerRow.score >= 3
            if query.score is ScoreFilter.FOLLOW_UP
            else (AnswerRow.score == int(query.score.value))
        )
        stmt = stmt.where(
            exists().where(
                AnswerRow.attempt_id == CallAttempt.id, AnswerRow.kind == "scale", scored
            )
        )
    if query.keyword and query.keyword.strip():
        pattern = _like(query.keyword)
        stmt = stmt.where(
            exists().where(
                Recording.attempt_id == CallAttempt.id,
                Recording.transcript.ilike(pattern, escape="\\"),
            )
        )
    if query.case_text and query.case_text.strip():
        pattern = _like(query.case_text)
        stmt = stmt.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Case.case_no,
                        Case.applicant_name,
                        Case.applicant_org,
                        Case.matter,
                    )
                )
            )
        )
    return stmt


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unit_and_children(s: Session, name: str) -> list[int]:
    unit_id = s.execute(select(Unit.id).where(Unit.name == name)).scalar_one_or_none()
    if unit_id is None:
        raise LedgerError(f"unknown unit {name!r}")
    children = s.execute(select(Unit.id).where(Unit.parent_id == unit_id)).scalars()
    return [unit_id, *children]


def _case(case: Case) -> CaseFacts:
    return CaseFacts(
        id=case.id,
        case_no=case.case_no,
        unit=case.unit.name,
        applicant_name=case.applicant_name,
        applicant_org=case.applicant_org,
        title=case.title,
        phone=case.phone,
        matter=case.matter,
        completed_on=case.completed_on,
        is_complaint=case.is_complaint,
    )


def _attempt(a: CallAttempt) -> AttemptFacts:
    return AttemptFacts(
        id=a.id,
        attempt_no=a.attempt_no,
        script_id=a.script_id,
        started_at=a.started_at,
        answered_at=a.answered_at,
        ended_at=a.ended_at,
        outcome=Outcome(a.outcome) if a.outcome is not None else None,
        hangup_cause=a.hangup_cause,
        note=a.note,
    )


def _recording(r: Recording) -> RecordingFacts:
    return RecordingFacts(
        id=r.id,
        attempt_id=r.attempt_id,
        kind=r.kind,
        question_id=r.question_id,
        path=r.path,
        duration_seconds=r.duration_seconds,
        sha256=r.sha256,
        transcript=r.transcript,
    )


def _answer(row: AnswerRow) -> AnswerFacts:
    return AnswerFacts(
        question_id=row.question_id,
        label=row.label,
        kind=row.kind,
        keys=row.keys,
        value=row.value,
        score=row.score,
        answered_at=row.answered_at,
        recording=_recording(row.recording) if row.recording is not None else None,
    )


def _taizhang_row(attempt: CallAttempt, answers: tuple[AnswerFacts, ...]) -> tz.TaizhangRow | None:
    if attempt.outcome is None or attempt.ended_at is None:
        return None
    outcome = Outcome(attempt.outcome)
    domain = [
        Answer(
            question_id=a.question_id,
            label=a.label,
            kind=a.kind,
            keys=a.keys,
            value=a.value,
            recording=None if a.recording is None else Path(a.recording.path),
            score=a.score,
        )
        for a in answers
    ]
    transcripts = {
        a.question_id: a.recording.transcript
        for a in answers
        if a.recording is not None and a.recording.transcript
    }
    case = attempt.case
    return tz.TaizhangRow(
        unit=case.unit.name,
        called_at=tz.format_call_time(attempt.started_at),
        respondent=case.applicant_org or case.applicant_name,
        matter=case.matter,
        phone_record=tz.phone_record(outcome, domain, transcripts),
        remark=tz.remark(outcome, domain, attempt.note, complaint=case.is_complaint),
    )


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
