"""The ledger's write API: the controller's record of every call as it happens.

Every method runs in its own short transaction and may be repeated after a crash or a
lost connection: a second call finds the first one's work and leaves it alone. Reading
calls back, with their 台账 rows, is ``callcenter.ledger.store.LedgerReader``'s; what
is read here is what writing needs (a case to call, an attempt to close, a file to serve).
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from callcenter.calls.records import AttemptView, RecordingView, attempt_view, recording_view
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.store import case_view
from callcenter.cases.tables import UNIT_KINDS, Case, Unit
from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.errors import LedgerUnavailable as LedgerUnavailable  # re-exported
from callcenter.kernel.transaction import retry_when_busy, transaction
from callcenter.kernel.upsert import changed, insert

log = logging.getLogger(__name__)


class Ledger:
    """Writes calls into the 电话回访登记台账; ``clock`` stamps when rows were written."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

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
                created_at=self._clock.now(),
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
        """The case as a call to it needs it."""
        with self._transaction("case_info") as s:
            case = s.get(Case, case_id, options=[joinedload(Case.unit)])
            if case is None:
                raise LedgerError(f"unknown case id {case_id}")
            return case_view(case).info()

    # -- call attempts ---------------------------------------------------------------

    @retry_when_busy
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
            # one light query for both (no ORM objects: this runs for every call)
            known, previous = s.execute(
                select(
                    select(Case.id).where(Case.id == case_id).exists(),
                    select(func.count())
                    .where(CallAttempt.case_id == case_id)
                    .scalar_subquery(),
                )
            ).one()
            if not known:
                raise LedgerError(f"unknown case id {case_id}")
            stmt = insert(s, CallAttempt).values(
                id=attempt_id,
                case_id=case_id,
                script_id=script_id,
                attempt_no=previous + 1,
                started_at=started_at,
                note="",
                owner=owner,
                created_at=self._clock.now(),
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

    @retry_when_busy
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

    @retry_when_busy
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
        answered_at = self._clock.now() if at is None else _require_aware(at, "at")
        with self._transaction("save_answer") as s:
            _require_attempt(s, attempt_id)
            recording_id = None
            if answer.recording is not None:
                path = _stored_path(answer.recording, storage_root)
                recording_id = _answer_recording(
                    s, attempt_id, answer.question_id, path, self._clock.now()
                )
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

    @retry_when_busy
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
                    row = Recording(
                        attempt_id=attempt_id,
                        kind="call",
                        path=stored,
                        created_at=self._clock.now(),
                    )
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

    def recording(self, recording_id: int) -> RecordingView | None:
        """A stored recording, for the player that serves its file; None if unknown."""
        with self._transaction("recording") as s:
            row = s.get(Recording, recording_id)
            return None if row is None else recording_view(row)

    @retry_when_busy
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
                # the controller logs the call's end with its case: once is enough
                log.debug("attempt %s finished: %s (cause %s)", attempt_id, outcome.value, cause)
                return True
            _require_attempt(s, attempt_id)
            log.debug("attempt %s was already finished; %s ignored", attempt_id, outcome.value)
            return False

    def attempt(self, attempt_id: str) -> AttemptView:
        """The attempt as stored, for whoever has to close it after its call was lost."""
        with self._transaction("attempt") as s:
            row = s.get(
                CallAttempt,
                attempt_id,
                options=[selectinload(CallAttempt.answers).joinedload(AnswerRow.recording)],
            )
            if row is None:
                raise LedgerError(f"unknown call attempt {attempt_id!r}")
            return attempt_view(row)

    def unfinished_attempts(self) -> list[str]:
        """Attempts started but never finished, oldest first: work left by a crash."""
        with self._transaction("unfinished_attempts") as s:
            stmt = (
                select(CallAttempt.id)
                .where(CallAttempt.ended_at.is_(None))
                .order_by(CallAttempt.started_at, CallAttempt.id)
            )
            return list(s.execute(stmt).scalars())

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
    # a plain query, not Session.get: loading the whole row as an object costs more
    # than the write it guards, on every answer of every call
    found = s.execute(select(CallAttempt.id).where(CallAttempt.id == attempt_id)).first()
    if found is None:
        raise LedgerError(f"unknown call attempt {attempt_id!r}")


def _stored_path(path: Path, storage_root: Path | None) -> str:
    """``path`` relative to ``storage_root`` when it lies under it, else as given."""
    if storage_root is not None and path.is_absolute():
        if path.is_relative_to(storage_root):
            return path.relative_to(storage_root).as_posix()
        # only when the plain paths differ: resolving costs a system call per component
        resolved, root = path.resolve(), storage_root.resolve()
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    return path.as_posix()


def _answer_recording(
    s: Session, attempt_id: str, question_id: str, path: str, now: datetime
) -> int:
    """Id of the recording row for this answer, reusing the one a retry already made."""
    existing = s.execute(
        select(Recording)
        .join(AnswerRow, AnswerRow.recording_id == Recording.id)
        .where(AnswerRow.attempt_id == attempt_id, AnswerRow.question_id == question_id)
    ).scalar_one_or_none()
    if existing is None:
        existing = Recording(
            attempt_id=attempt_id, question_id=question_id, kind="answer", path=path, created_at=now
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
