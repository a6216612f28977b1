"""An attempt with its answers read as plain rows into its view: no ORM objects, since
what follows every call (its ticket rules) reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from callcenter.calls.records import AnswerView, AttemptView, RecordingView
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.interview.outcome import Outcome


def read_attempt(c: Connection, attempt_id: str) -> AttemptView | None:
    """The attempt and its answers in the order first saved; None if unknown."""
    row = c.execute(select(*_ATTEMPT_COLUMNS).where(CallAttempt.id == attempt_id)).first()
    if row is None:
        return None
    answers = c.execute(
        select(*_ANSWER_COLUMNS, *_RECORDING_COLUMNS)
        .outerjoin(Recording, AnswerRow.recording_id == Recording.id)
        .where(AnswerRow.attempt_id == attempt_id)
        .order_by(AnswerRow.id)
    ).all()
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
        answers=tuple(_answer_view(a) for a in answers),
    )


_ATTEMPT_COLUMNS = (
    CallAttempt.id,
    CallAttempt.case_id,
    CallAttempt.script_id,
    CallAttempt.attempt_no,
    CallAttempt.started_at,
    CallAttempt.answered_at,
    CallAttempt.ended_at,
    CallAttempt.outcome,
    CallAttempt.hangup_cause,
    CallAttempt.note,
)
_ANSWER_COLUMNS = (
    AnswerRow.question_id,
    AnswerRow.label,
    AnswerRow.kind,
    AnswerRow.keys,
    AnswerRow.value,
    AnswerRow.score,
    AnswerRow.answered_at,
)
_RECORDING_COLUMNS = (
    Recording.id.label("rec_id"),
    Recording.attempt_id.label("rec_attempt_id"),
    Recording.kind.label("rec_kind"),
    Recording.question_id.label("rec_question_id"),
    Recording.path.label("rec_path"),
    Recording.duration_seconds.label("rec_duration"),
    Recording.sha256.label("rec_sha256"),
    Recording.transcript.label("rec_transcript"),
    Recording.transcript_status.label("rec_transcript_status"),
)


def _answer_view(row: Row[*tuple[Any, ...]]) -> AnswerView:
    recording = None
    if row.rec_id is not None:
        recording = RecordingView(
            id=row.rec_id,
            attempt_id=row.rec_attempt_id,
            kind=row.rec_kind,
            question_id=row.rec_question_id,
            path=Path(row.rec_path),
            duration_seconds=row.rec_duration,
            sha256=row.rec_sha256,
            transcript=row.rec_transcript,
            transcript_status=row.rec_transcript_status,
        )
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
