"""Stored call attempts, answers and recordings as plain values, detached from the database.

These are the shapes every reader of a call gets (the 台账's read model, the agents'
screens, the recording player); how rows are found and put together is the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row

from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome


@dataclass(frozen=True)
class RecordingView:
    id: int
    attempt_id: str
    kind: str  # 'call' | 'answer'
    question_id: str | None
    path: Path  # relative to the storage root when it lies under it
    duration_seconds: float | None
    sha256: str | None
    transcript: str | None
    transcript_status: str | None  # see callcenter.transcription.store


@dataclass(frozen=True)
class AnswerView:
    """The latest answer to one question, with when it was given and its recording."""

    question_id: str
    label: str
    kind: str
    keys: str | None
    value: str | None
    score: int | None
    answered_at: datetime
    recording: RecordingView | None

    def as_answer(self) -> Answer:
        """The answer as the interview gave it, its recording as the stored path."""
        return Answer(
            question_id=self.question_id,
            label=self.label,
            kind=self.kind,
            keys=self.keys,
            value=self.value,
            recording=None if self.recording is None else self.recording.path,
            score=self.score,
        )


@dataclass(frozen=True)
class AttemptView:
    """One dialled call as stored, with its answers."""

    id: str
    case_id: int
    script_id: str
    attempt_no: int
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: Outcome | None
    hangup_cause: int | None
    note: str
    answers: tuple[AnswerView, ...]  # in the order first saved

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


def attempt_view(
    row: CallAttempt | Row[*tuple[Any, ...]], answers: Iterable[AnswerView] | None = None
) -> AttemptView:
    """A stored attempt with its answers: an ORM row whose answers and their recordings
    are loaded with it, or a plain row of the same columns and its answers read apart."""
    if answers is None:
        assert isinstance(row, CallAttempt), "a plain row comes with its answers"
        answers = (answer_view(a) for a in row.answers)
    return AttemptView(
        id=row.id,
        case_id=row.case_id,
        script_id=row.script_id,
        attempt_no=row.attempt_no,
        started_at=row.started_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        outcome=None if row.outcome is None else Outcome(row.outcome),
        hangup_cause=row.hangup_cause,
        note=row.note,
        answers=tuple(answers),
    )


def recording_view(row: Recording | Row[*tuple[Any, ...]]) -> RecordingView:
    """A stored recording: an ORM row or a plain row of the same columns."""
    return RecordingView(
        id=row.id,
        attempt_id=row.attempt_id,
        kind=row.kind,
        question_id=row.question_id,
        path=Path(row.path),
        duration_seconds=row.duration_seconds,
        sha256=row.sha256,
        transcript=row.transcript,
        transcript_status=row.transcript_status,
    )


def answer_view(
    row: AnswerRow | Row[*tuple[Any, ...]], recording: RecordingView | None = None
) -> AnswerView:
    """A stored answer: an ORM row, its recording loaded with it (or absent), or a plain
    row of the same columns and its recording read apart."""
    if isinstance(row, AnswerRow) and row.recording is not None:
        recording = recording_view(row.recording)
    return AnswerView(
        question_id=row.question_id,
        label=row.label,
        kind=row.kind,
        keys=row.keys,
        value=row.value,
        score=row.score,
        answered_at=row.answered_at,
        recording=recording,
    )
