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
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from callcenter.calls import _attempt_writes as _writes
from callcenter.calls._attempt_rows import read_attempt
from callcenter.calls._attempt_writes import Op, stored_path
from callcenter.calls._statements import statements
from callcenter.calls.records import AttemptView, RecordingView, recording_view
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.store import case_view
from callcenter.cases.tables import UNIT_KINDS, Case, Unit
from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.errors import LedgerUnavailable as LedgerUnavailable  # re-exported
from callcenter.kernel.transaction import core_transaction, retry_when_busy, transaction
from callcenter.kernel.upsert import insert

log = logging.getLogger(__name__)
T = TypeVar("T")


class Ledger:
    """Writes calls into the 电话回访登记台账; ``clock`` stamps when rows were written."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None) -> None:
        self._sessions = sessions
        # the writes every call makes run on plain connections (see ``_core``)
        self._engine: Engine = sessions.kw["bind"]
        self._clock = clock or SystemClock()

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for the stores of other concepts on the same database."""
        return self._sessions

    @property
    def engine(self) -> Engine:
        """The database engine, for writes that need no ORM session."""
        return self._engine

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

    def case_infos(self, case_ids: list[int]) -> dict[int, CaseInfo]:
        """Many cases as their calls need them, by id, in a query per thousand; ids
        unknown to the ledger are left out."""
        found: dict[int, CaseInfo] = {}
        with self._transaction("case_infos") as s:
            for start in range(0, len(case_ids), 1000):
                chunk = case_ids[start : start + 1000]
                stmt = select(Case).options(joinedload(Case.unit)).where(Case.id.in_(chunk))
                for case in s.execute(stmt).scalars():
                    found[case.id] = case_view(case).info()
        return found

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
        with self._core("start_attempt") as c:
            sql = statements(c)
            # Locking the case makes concurrent starts of one case (two processes) take
            # turns, so each counts the other's attempt and none gets the same number.
            # (SQLite ignores FOR UPDATE: its writers take turns anyway.) NO KEY: the
            # attempts' foreign keys to the case still need no wait.
            if c.execute(sql.lock_case, {"case_id": case_id}).first() is None:
                raise LedgerError(f"unknown case id {case_id}")
            row = {
                "id": attempt_id,
                "case_id": case_id,
                "count_case": case_id,
                "script_id": script_id,
                "started_at": started_at,
                "note": "",
                "owner": owner,
                "created_at": self._clock.now(),
            }
            if c.execute(sql.start, row).first() is not None:
                return True
            existing = c.execute(sql.attempt_case, {"attempt_id": attempt_id}).scalar_one()
            if existing != case_id:
                raise LedgerError(
                    f"attempt {attempt_id!r} belongs to case {existing}, not case {case_id}"
                )
            return False

    def mark_answered_op(self, attempt_id: str, at: datetime) -> Op[None]:
        """``mark_answered`` as a write for a batch (``calls.write_batch``)."""
        _require_aware(at, "at")
        return partial(_writes.mark_answered, attempt_id=attempt_id, at=at)

    def mark_answered(self, attempt_id: str, at: datetime) -> None:
        """Note when the callee picked up; the first time given is kept."""
        self.run_alone("mark_answered", self.mark_answered_op(attempt_id, at))

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
                path = stored_path(answer.recording, storage_root)
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
        if question_id is None:
            op = self.seal_call_op(attempt_id, path, duration, sha256, storage_root)
            return self._run_once("seal_recording", op)
        stored = stored_path(path, storage_root)
        with self._transaction("seal_recording") as s:
            _require_attempt(s, attempt_id)
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

    def seal_call_op(
        self,
        attempt_id: str,
        path: Path,
        duration: float,
        sha256: str,
        storage_root: Path | None = None,
    ) -> Op[int]:
        """Sealing the whole-call recording as a write for a batch; returns its id."""
        stored = stored_path(path, storage_root)
        now = self._clock.now()
        return partial(
            _writes.seal_call_recording,
            attempt_id=attempt_id,
            path=stored,
            duration=duration,
            sha256=sha256,
            now=now,
        )

    def recording(self, recording_id: int) -> RecordingView | None:
        """A stored recording, for the player that serves its file; None if unknown."""
        with self._transaction("recording") as s:
            row = s.get(Recording, recording_id)
            return None if row is None else recording_view(row)

    def finish_op(
        self,
        attempt_id: str,
        outcome: Outcome,
        cause: int | None,
        ended_at: datetime,
        note: str = "",
    ) -> Op[bool]:
        """``finish_attempt`` as a write for a batch."""
        _require_aware(ended_at, "ended_at")
        return partial(
            _writes.finish_attempt,
            attempt_id=attempt_id,
            outcome=Outcome(outcome),
            cause=cause,
            ended_at=ended_at,
            note=note,
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
        op = self.finish_op(attempt_id, outcome, cause, ended_at, note)
        return self.run_alone("finish_attempt", op)

    def attempt(self, attempt_id: str) -> AttemptView:
        """The attempt as stored, for whoever has to close it after its call was lost,
        and for what follows every call (its ticket rules): read with two plain queries."""
        with self._core("attempt") as c:
            view = read_attempt(c, attempt_id)
        if view is None:
            raise LedgerError(f"unknown call attempt {attempt_id!r}")
        return view

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

    def _core(self, action: str) -> AbstractContextManager[Connection]:
        return core_transaction(self._engine, action)

    @retry_when_busy
    def run_alone(self, action: str, op: Op[T]) -> T:
        """One write (``…_op``) in a transaction of its own, named ``action`` in errors."""
        return self._run_once(action, op)

    def _run_once(self, action: str, op: Op[T]) -> T:
        with self._core(action) as c:
            return op(c)


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
