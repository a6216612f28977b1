"""Where each recorded answer's transcription stands: queued, done or given up.

A transcription is *pending* from the moment it is queued until a run writes its text
(*done*) or the last allowed run fails (*failed*). A failed one keeps the marker text
``FAILED_TEXT`` as its transcript, so every place that shows transcripts (the 台账, the
web pages, the XLSX) says so instead of showing nothing. Runs are counted before the
engine starts, so a worker killed mid-run still uses one up and a recording that
crashes the engine cannot be retried for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import AnswerRow, Recording
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.transaction import transaction

PENDING = "pending"
DONE = "done"
FAILED = "failed"
STATUSES = (PENDING, DONE, FAILED)

# The transcript of a recording whose transcription was given up.
FAILED_TEXT = "转写失败"
# What was transcribed when the recording holds no words: said, not left blank.
NO_SPEECH_TEXT = "未识别出语音"


@dataclass(frozen=True)
class TranscriptState:
    recording_id: int
    attempt_id: str
    question_id: str
    path: Path  # as stored: relative to the storage root when under it
    status: str | None
    runs: int
    text: str | None
    engine: str | None
    error: str | None


class TranscriptStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def queue(self, attempt_id: str, question_id: str) -> bool:
        """Mark the answer's recording pending; False if it already has its text."""
        with transaction(self._sessions, "queue_transcript") as s:
            row = _recording(s, attempt_id, question_id)
            if row.transcript_status == DONE:
                return False
            row.transcript_status, row.transcript_runs = PENDING, 0
            row.transcript_error = None
            if row.transcript == FAILED_TEXT:
                row.transcript = None
            return True

    def claim(self, attempt_id: str, question_id: str, max_runs: int) -> TranscriptState | None:
        """Count a run and return what to transcribe; None when there is nothing to do.

        Nothing to do: the text is already there (a message delivered twice), the
        transcription was given up, or ``max_runs`` are used up, which gives it up now.
        """
        with transaction(self._sessions, "claim_transcript") as s:
            row = _recording(s, attempt_id, question_id, lock=True)
            if row.transcript_status in (DONE, FAILED):
                return None
            if row.transcript_runs >= max_runs:
                _fail(row, f"gave up after {row.transcript_runs} runs that did not finish")
                return None
            row.transcript_status = PENDING
            row.transcript_runs += 1
            s.flush()
            return _state(row, attempt_id, question_id)

    def done(self, attempt_id: str, question_id: str, text: str, engine: str) -> None:
        """Store the text ``engine`` made of the answer's recording; an empty one becomes
        ``NO_SPEECH_TEXT``. The one way a transcript is written."""
        with transaction(self._sessions, "save_transcript") as s:
            row = _recording(s, attempt_id, question_id)
            row.transcript = text.strip() or NO_SPEECH_TEXT
            row.transcript_status, row.transcript_engine = DONE, engine
            row.transcript_error = None

    def fail(self, attempt_id: str, question_id: str, error: str) -> None:
        """Give up: the marker text takes the transcript's place, ``error`` says why."""
        with transaction(self._sessions, "fail_transcript") as s:
            _fail(_recording(s, attempt_id, question_id), error)

    def state(self, attempt_id: str, question_id: str) -> TranscriptState:
        with transaction(self._sessions, "transcript_state") as s:
            return _state(_recording(s, attempt_id, question_id), attempt_id, question_id)

    def pending(self) -> list[tuple[str, str]]:
        """(attempt, question) of every transcription queued and not finished, oldest first."""
        with transaction(self._sessions, "pending_transcripts") as s:
            rows = s.execute(
                select(AnswerRow.attempt_id, AnswerRow.question_id)
                .join(Recording, AnswerRow.recording_id == Recording.id)
                .where(Recording.transcript_status == PENDING)
                .order_by(Recording.id)
            )
            return [(a, q) for a, q in rows]


def _recording(s: Session, attempt_id: str, question_id: str, lock: bool = False) -> Recording:
    stmt = (
        select(Recording)
        .join(AnswerRow, AnswerRow.recording_id == Recording.id)
        .where(AnswerRow.attempt_id == attempt_id, AnswerRow.question_id == question_id)
    )
    if lock:  # two deliveries of one message count two runs, not one (PostgreSQL)
        stmt = stmt.with_for_update()
    row = s.execute(stmt).scalar_one_or_none()
    if row is None:
        raise LedgerError(
            f"attempt {attempt_id!r} has no recorded answer to question {question_id!r}"
        )
    return row


def _fail(row: Recording, error: str) -> None:
    row.transcript, row.transcript_status = FAILED_TEXT, FAILED
    row.transcript_error = error[:2000]


def _state(row: Recording, attempt_id: str, question_id: str) -> TranscriptState:
    return TranscriptState(
        recording_id=row.id,
        attempt_id=attempt_id,
        question_id=question_id,
        path=Path(row.path),
        status=row.transcript_status,
        runs=row.transcript_runs,
        text=row.transcript,
        engine=row.transcript_engine,
        error=row.transcript_error,
    )
