"""The ledger's write and read API: the only way the rest of the service touches the database.

Every method runs in its own short transaction and may be repeated after a crash or a
lost connection: a second call finds the first one's work and leaves it alone.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload, sessionmaker

from callcenter.agents.remarks import agent_remarks
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.tables import UNIT_KINDS, Case, Unit
from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.errors import LedgerUnavailable as LedgerUnavailable  # re-exported
from callcenter.kernel.orm import utcnow
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed, insert
from callcenter.ledger import taizhang as tz

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttemptView:
    """A call attempt as stored, detached from the database."""

    attempt_id: str
    case_id: int
    script_id: str
    attempt_no: int
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: Outcome | None
    hangup_cause: int | None
    note: str
    answers: tuple[Answer, ...]  # in the order first saved; recordings as stored paths

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class RecordingView:
    id: int
    kind: str  # 'call' | 'answer'
    question_id: str | None
    path: Path  # relative to the storage root when it lies under it
    duration_seconds: float | None
    sha256: str | None
    transcript: str | None
    transcript_status: str | None = None  # see callcenter.transcription.store


class Ledger:
    """Writes calls into the 电话回访登记台账 and reads them back."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for the stores of other concepts on the same database."""
        return self._sessions

    # -- units and cases -------------------------------------------------------------

    def upsert_unit(self, name: str, kind: str = "station", parent: str | None = None) -> int:
        """Create or update the 局 / 窗口 / 所 called ``name``; returns its id."""
        if kind not in UNIT_KINDS:
            raise LedgerError(f"unit kind {kind!r} is not one of {', '.join(UNIT_KINDS)}")
        if not name.strip():
            raise LedgerError("unit name is empty")
        with self._transaction("upsert_unit") as s:
            parent_id = _unit_id(s, parent) if parent is not None else None
            stmt = insert(s, Unit).values(name=name, kind=kind, parent_id=parent_id)
            stmt = stmt.on_conflict_do_update(
                index_elements=[Unit.name], set_={"kind": kind, "parent_id": parent_id}
            )
            return s.execute(stmt.returning(Unit.id)).scalar_one()

    def add_case(
        self,
        case_no: str,
        unit: str,
        applicant_name: str,
        phone: str,
        matter: str,
        completed_on: date,
        title: str = "",
        applicant_org: str = "",
        is_complaint: bool = False,
    ) -> int:
        """Record a 办件 handled by ``unit``; an already known ``case_no`` is left as it is."""
        with self._transaction("add_case") as s:
            stmt = insert(s, Case).values(
                case_no=case_no,
                unit_id=_unit_id(s, unit),
                applicant_name=applicant_name,
                applicant_org=applicant_org,
                title=title,
                phone=phone,
                matter=matter,
                completed_on=completed_on,
                is_complaint=is_complaint,
                created_at=utcnow(),
            )
            s.execute(stmt.on_conflict_do_nothing(index_elements=[Case.case_no]))
            return s.execute(select(Case.id).where(Case.case_no == case_no)).scalar_one()

    def find_case(self, case_no: str) -> int:
        """Id of the case with this 办件 number; LedgerError if there is none."""
        with self._transaction("find_case") as s:
            case_id = s.execute(select(Case.id).where(Case.case_no == case_no)).scalar_one_or_none()
            if case_id is None:
                raise LedgerError(f"no case with number {case_no!r} in the ledger")
            return case_id

    def case_info(self, case_id: int) -> CaseInfo:
        with self._transaction("case_info") as s:
            case = s.get(Case, case_id, options=[joinedload(Case.unit)])
            if case is None:
                raise LedgerError(f"unknown case id {case_id}")
            return CaseInfo(
                case_id=case.id,
                applicant_name=case.applicant_name,
                phone=case.phone,
                unit=case.unit.name,
                matter=case.matter,
                completed_on=case.completed_on,
                title=case.title,
                extra={"org": case.applicant_org} if case.applicant_org else {},
            )

    # -- call attempts ---------------------------------------------------------------

    def start_attempt(
        self,
        attempt_id: str,
        case_id: int,
        script_id: str,
        started_at: datetime,
        owner: str | None = None,
    ) -> bool:
        """Record a dialled call placed by process ``owner``; False if ``attempt_id`` was
        already recorded."""
        _require_aware(started_at, "started_at")
        with self._transaction("start_attempt") as s:
            if s.get(Case, case_id) is None:
                raise LedgerError(f"unknown case id {case_id}")
            previous = s.execute(
                select(func.count()).where(CallAttempt.case_id == case_id)
            ).scalar_one()
            stmt = insert(s, CallAttempt).values(
                id=attempt_id,
                case_id=case_id,
                script_id=script_id,
                attempt_no=previous + 1,
                started_at=started_at,
                note="",
                owner=owner,
                created_at=utcnow(),
            )
            if changed(s, stmt.on_conflict_do_nothing(index_elements=["id"])):
                return True
            existing = s.execute(
                select(CallAttempt.case_id).where(CallAttempt.id == attempt_id)
            ).scalar_one()
            if existing != case_id:
                raise LedgerError(
                    f"attempt {attempt_id!r} belongs to case {existing}, not case {case_id}"
                )
            return False

    def mark_answered(self, attempt_id: str, at: datetime) -> None:
        """Note when the callee picked up; the first time given is kept."""
        _require_aware(at, "at")
        with self._transaction("mark_answered") as s:
            stmt = (
                update(CallAttempt)
                .where(CallAttempt.id == attempt_id, CallAttempt.answered_at.is_(None))
                .values(answered_at=at)
            )
            if not changed(s, stmt):
                _require_attempt(s, attempt_id)

    def save_answer(
        self,
        attempt_id: str,
        answer: Answer,
        storage_root: Path | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        """Store ``answer``, replacing an earlier answer to the same question.

        A recording is stored relative to ``storage_root`` when it lies under it.
        """
        answered_at = utcnow() if at is None else _require_aware(at, "at")
        with self._transaction("save_answer") as s:
            _require_attempt(s, attempt_id)
            recording_id = None
            if answer.recording is not None:
                path = _stored_path(answer.recording, storage_root)
                recording_id = _answer_recording(s, attempt_id, answer.question_id, path)
            values = {
                "label": answer.label,
                "kind": answer.kind,
                "keys": answer.keys,
                "value": answer.value,
                "score": answer.score,
                "recording_id": recording_id,
                "answered_at": answered_at,
            }
            stmt = insert(s, AnswerRow).values(
                attempt_id=attempt_id, question_id=answer.question_id, **values
            )
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[AnswerRow.attempt_id, AnswerRow.question_id], set_=values
                )
            )

    def seal_recording(
        self,
        attempt_id: str,
        path: Path,
        *,
        duration: float,
        sha256: str,
        question_id: str | None = None,
        storage_root: Path | None = None,
    ) -> int:
        """Store a finished recording's duration and SHA-256; return its id.

        ``question_id`` None means the whole-call recording (kind 'call'), written once
        per attempt; an answer's recording row already exists from ``save_answer``.
        """
        stored = _stored_path(path, storage_root)
        with self._transaction("seal_recording") as s:
            _require_attempt(s, attempt_id)
            if question_id is None:
                row = s.execute(
                    select(Recording).where(
                        Recording.attempt_id == attempt_id, Recording.kind == "call"
                    )
                ).scalar_one_or_none()
                if row is None:
                    row = Recording(attempt_id=attempt_id, kind="call", path=stored)
                    s.add(row)
            else:
                row = s.execute(
                    select(Recording).where(
                        Recording.attempt_id == attempt_id,
                        Recording.question_id == question_id,
                        Recording.kind == "answer",
                    )
                ).scalar_one_or_none()
                if row is None:
                    raise LedgerError(
                        f"attempt {attempt_id!r} has no recorded answer to question {question_id!r}"
                    )
            row.path, row.duration_seconds, row.sha256 = stored, duration, sha256
            s.flush()
            return row.id

    def recordings(self, attempt_id: str) -> list[RecordingView]:
        """The attempt's recordings, the whole call first, then answers in order."""
        with self._transaction("recordings") as s:
            rows = s.execute(
                select(Recording)
                .where(Recording.attempt_id == attempt_id)
                .order_by(Recording.kind != "call", Recording.id)
            ).scalars()
            return [
                RecordingView(
                    r.id,
                    r.kind,
                    r.question_id,
                    Path(r.path),
                    r.duration_seconds,
                    r.sha256,
                    r.transcript,
                    r.transcript_status,
                )
                for r in rows
            ]

    def save_transcript(self, attempt_id: str, question_id: str, text: str) -> None:
        """Attach the text of a recorded answer once speech recognition has run."""
        with self._transaction("save_transcript") as s:
            recording_id = s.execute(
                select(AnswerRow.recording_id).where(
                    AnswerRow.attempt_id == attempt_id, AnswerRow.question_id == question_id
                )
            ).scalar_one_or_none()
            if recording_id is None:
                raise LedgerError(
                    f"attempt {attempt_id!r} has no recorded answer to question {question_id!r}"
                )
            s.execute(
                update(Recording)
                .where(Recording.id == recording_id)
                .values(transcript=text, transcript_status="done", transcript_error=None)
            )

    def finish_attempt(
        self,
        attempt_id: str,
        outcome: Outcome,
        cause: int | None,
        ended_at: datetime,
        note: str = "",
    ) -> bool:
        """Close the attempt with its outcome; only the first finish counts."""
        outcome = Outcome(outcome)
        _require_aware(ended_at, "ended_at")
        with self._transaction("finish_attempt") as s:
            # The condition on ended_at makes the database arbitrate between racing
            # finishers: the second UPDATE matches no row.
            stmt = (
                update(CallAttempt)
                .where(CallAttempt.id == attempt_id, CallAttempt.ended_at.is_(None))
                .values(outcome=outcome.value, hangup_cause=cause, ended_at=ended_at, note=note)
            )
            if changed(s, stmt):
                log.info("attempt %s finished: %s (cause %s)", attempt_id, outcome.value, cause)
                return True
            _require_attempt(s, attempt_id)
            log.debug("attempt %s was already finished; %s ignored", attempt_id, outcome.value)
            return False

    def unfinished_attempts(self) -> list[str]:
        """Attempts started but never finished, oldest first: work left by a crash."""
        with self._transaction("unfinished_attempts") as s:
            stmt = (
                select(CallAttempt.id)
                .where(CallAttempt.ended_at.is_(None))
                .order_by(CallAttempt.started_at, CallAttempt.id)
            )
            return list(s.execute(stmt).scalars())

    def attempt(self, attempt_id: str) -> AttemptView:
        with self._transaction("attempt") as s:
            row = s.get(
                CallAttempt,
                attempt_id,
                options=[selectinload(CallAttempt.answers).joinedload(AnswerRow.recording)],
            )
            if row is None:
                raise LedgerError(f"unknown call attempt {attempt_id!r}")
            return AttemptView(
                attempt_id=row.id,
                case_id=row.case_id,
                script_id=row.script_id,
                attempt_no=row.attempt_no,
                started_at=row.started_at,
                answered_at=row.answered_at,
                ended_at=row.ended_at,
                outcome=Outcome(row.outcome) if row.outcome is not None else None,
                hangup_cause=row.hangup_cause,
                note=row.note,
                answers=tuple(answer_from_row(a) for a in row.answers),
            )

    # -- the 台账 ---------------------------------------------------------------------

    def taizhang(
        self,
        month: str | None = None,
        unit: str | None = None,
        attempt_ids: Collection[str] | None = None,
    ) -> list[tz.TaizhangRow]:
        """The 台账: one row per finished attempt, in the order the calls were placed.

        ``month`` (YYYY-MM) keeps the calls placed in that Beijing month; ``unit`` keeps
        the cases of one 所 or 窗口, since each keeps and reports its own 台账, which is
        also why 回访单位 is the case's unit; ``attempt_ids`` keeps only those attempts.
        """
        bounds = tz.month_bounds(month) if month is not None else None
        with self._transaction("taizhang") as s:
            stmt = (
                select(CallAttempt)
                .join(CallAttempt.case)
                .where(CallAttempt.ended_at.is_not(None))
                .options(
                    contains_eager(CallAttempt.case).joinedload(Case.unit),
                    selectinload(CallAttempt.answers).joinedload(AnswerRow.recording),
                )
                .order_by(CallAttempt.started_at, CallAttempt.id)
            )
            if bounds is not None:
                stmt = stmt.where(
                    CallAttempt.started_at >= bounds[0], CallAttempt.started_at < bounds[1]
                )
            if unit is not None:
                stmt = stmt.where(Case.unit_id == _unit_id(s, unit))
            if attempt_ids is not None:
                stmt = stmt.where(CallAttempt.id.in_(list(attempt_ids)))
            # what agents wrote after taking a call over or calling back goes into 备注
            agents = agent_remarks(s, stmt.with_only_columns(CallAttempt.id).order_by(None))
            return [_taizhang_row(a, agents.get(a.id, "")) for a in s.execute(stmt).scalars()]

    # -- plumbing --------------------------------------------------------------------

    def _transaction(self, action: str) -> AbstractContextManager[Session]:
        return transaction(self._sessions, action)


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise LedgerError(f"{name}={value.isoformat()} has no time zone; pass an aware datetime")
    return value


def _unit_id(s: Session, name: str) -> int:
    unit_id = s.execute(select(Unit.id).where(Unit.name == name)).scalar_one_or_none()
    if unit_id is None:
        raise LedgerError(f"unknown unit {name!r}; add it with upsert_unit first")
    return unit_id


def _require_attempt(s: Session, attempt_id: str) -> None:
    if s.get(CallAttempt, attempt_id) is None:
        raise LedgerError(f"unknown call attempt {attempt_id!r}")


def _stored_path(path: Path, storage_root: Path | None) -> str:
    """``path`` relative to ``storage_root`` when it lies under it, else as given."""
    if storage_root is not None and path.is_absolute():
        for candidate, root in ((path, storage_root), (path.resolve(), storage_root.resolve())):
            if candidate.is_relative_to(root):
                return candidate.relative_to(root).as_posix()
    return path.as_posix()


def _answer_recording(s: Session, attempt_id: str, question_id: str, path: str) -> int:
    """Id of the recording row for this answer, reusing the one a retry already made."""
    existing = s.execute(
        select(Recording)
        .join(AnswerRow, AnswerRow.recording_id == Recording.id)
        .where(AnswerRow.attempt_id == attempt_id, AnswerRow.question_id == question_id)
    ).scalar_one_or_none()
    if existing is None:
        existing = Recording(
            attempt_id=attempt_id, question_id=question_id, kind="answer", path=path
        )
        s.add(existing)
        s.flush()
    elif existing.path != path:
        # A new file: what was known about the old one no longer applies.
        existing.path = path
        existing.duration_seconds = existing.sha256 = existing.transcript = None
        existing.transcript_status = existing.transcript_engine = existing.transcript_error = None
        existing.transcript_runs = 0
        s.flush()
    return existing.id


def answer_from_row(row: AnswerRow) -> Answer:
    """A stored answer as the domain's Answer (recordings as stored paths)."""
    return Answer(
        question_id=row.question_id,
        label=row.label,
        kind=row.kind,
        keys=row.keys,
        value=row.value,
        recording=Path(row.recording.path) if row.recording is not None else None,
        score=row.score,
    )


def _taizhang_row(attempt: CallAttempt, agent_remark: str = "") -> tz.TaizhangRow:
    case = attempt.case
    if attempt.outcome is None:  # finish_attempt sets both; only a hand edit gets here
        raise LedgerError(f"attempt {attempt.id!r} has ended_at but no outcome")
    outcome = Outcome(attempt.outcome)
    answers = [answer_from_row(a) for a in attempt.answers]
    transcripts = {
        a.question_id: a.recording.transcript
        for a in attempt.answers
        if a.recording is not None and a.recording.transcript
    }
    return tz.TaizhangRow(
        unit=case.unit.name,
        called_at=tz.format_call_time(attempt.started_at),
        respondent=case.applicant_org or case.applicant_name,
        matter=case.matter,
        phone_record=tz.phone_record(outcome, answers, transcripts),
        remark=tz.remark(
            outcome,
            answers,
            "；".join(n for n in (attempt.note, agent_remark) if n),
            complaint=case.is_complaint,
        ),
    )
