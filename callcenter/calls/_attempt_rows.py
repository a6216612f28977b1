"""An attempt with its answers read as plain rows (no ORM objects, since what follows
every call, its ticket rules, reads it) into the views of ``records``."""

from __future__ import annotations

from sqlalchemy import Connection, select

from callcenter.calls.records import (
    AttemptView,
    RecordingView,
    answer_view,
    attempt_view,
    recording_view,
)
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording


def read_attempt(c: Connection, attempt_id: str) -> AttemptView | None:
    """The attempt and its answers in the order first saved; None if unknown."""
    row = c.execute(select(*_ATTEMPT_COLUMNS).where(CallAttempt.id == attempt_id)).first()
    if row is None:
        return None
    answers = c.execute(
        select(*_ANSWER_COLUMNS).where(AnswerRow.attempt_id == attempt_id).order_by(AnswerRow.id)
    ).all()
    recordings: dict[int, RecordingView] = {}
    if any(a.recording_id is not None for a in answers):
        recordings = {
            r.id: recording_view(r)
            for r in c.execute(
                select(*_RECORDING_COLUMNS).where(Recording.attempt_id == attempt_id)
            )
        }
    return attempt_view(row, (answer_view(a, recordings.get(a.recording_id)) for a in answers))


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
    AnswerRow.recording_id,
)
_RECORDING_COLUMNS = (
    Recording.id,
    Recording.attempt_id,
    Recording.kind,
    Recording.question_id,
    Recording.path,
    Recording.duration_seconds,
    Recording.sha256,
    Recording.transcript,
    Recording.transcript_status,
)
