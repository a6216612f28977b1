"""The statements every call runs, built once per kind of database.

Building a statement (coercing each column and value, and for an ON CONFLICT the
``excluded`` alias of every column) and deriving its cache key took more of the
interpreter than running it: at hundreds of calls, a third of the ledger's time. Built
once with bind parameters, a write only binds its values; SQLAlchemy's compiled cache
then finds each statement by a key it has already computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Insert,
    Select,
    Update,
    bindparam,
    func,
    select,
    update,
)

from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.tables import Case
from callcenter.kernel.upsert import insert_for

_ANSWER_COLUMNS = ("label", "kind", "keys", "value", "score", "recording_id", "answered_at")


@dataclass(frozen=True)
class Statements:
    """Each takes the bind parameters named in its comment."""

    attempt_exists: Select[Any]  # attempt_id
    known_attempts: Select[Any]  # ids (a list)
    # answered_at, returning the attempt id when this set it: attempt_id, at
    mark_answered: Update
    # ended_at with the outcome, returning the id when this closed it:
    # attempt_id, p_outcome, p_cause, p_ended_at, p_note
    finish: Update
    call_recording: Select[Any]  # attempt_id
    update_recording: Update  # recording_id, p_path, p_duration, p_sha256
    insert_recording: Insert  # the recordings row's columns; returns its id
    lock_case: Select[Any]  # case_id
    # the attempt, numbered after the case's earlier ones; returns its id unless it
    # already existed: the call_attempts row's columns except attempt_no, and
    # count_case (the case id again: a bind parameter may not share a column's name)
    start: Insert
    attempt_case: Select[Any]  # attempt_id
    # answers' rows, replacing earlier answers to the same questions
    upsert_answers: Insert


def statements(c: Connection) -> Statements:
    """The statements for ``c``'s database."""
    return _built(c.dialect.name)


@cache
def _built(dialect: str) -> Statements:
    attempt_id: BindParameter[str] = bindparam("attempt_id")
    previous = (
        select(func.count())
        .select_from(CallAttempt)
        .where(CallAttempt.case_id == bindparam("count_case"))
        .scalar_subquery()
    )
    start = (
        insert_for(dialect, CallAttempt)
        .values(attempt_no=previous + 1)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(CallAttempt.id)
    )
    answers = insert_for(dialect, AnswerRow)
    upsert_answers = answers.on_conflict_do_update(
        index_elements=[AnswerRow.attempt_id, AnswerRow.question_id],
        set_={name: answers.excluded[name] for name in _ANSWER_COLUMNS},
    )
    return Statements(
        attempt_exists=select(CallAttempt.id).where(CallAttempt.id == attempt_id),
        known_attempts=select(CallAttempt.id).where(
            CallAttempt.id.in_(bindparam("ids", expanding=True))
        ),
        mark_answered=update(CallAttempt)
        .where(CallAttempt.id == attempt_id, CallAttempt.answered_at.is_(None))
        .values(answered_at=bindparam("at"))
        .returning(CallAttempt.id),
        finish=update(CallAttempt)
        .where(CallAttempt.id == attempt_id, CallAttempt.ended_at.is_(None))
        .values(
            outcome=bindparam("p_outcome"),
            hangup_cause=bindparam("p_cause"),
            ended_at=bindparam("p_ended_at"),
            note=bindparam("p_note"),
        )
        .returning(CallAttempt.id),
        call_recording=select(Recording.id).where(
            Recording.attempt_id == attempt_id, Recording.kind == "call"
        ),
        update_recording=update(Recording)
        .where(Recording.id == bindparam("recording_id"))
        .values(
            path=bindparam("p_path"),
            duration_seconds=bindparam("p_duration"),
            sha256=bindparam("p_sha256"),
        ),
        insert_recording=insert_for(dialect, Recording).returning(Recording.id),
        lock_case=select(Case.id)
        .where(Case.id == bindparam("case_id"))
        .with_for_update(key_share=True),
        start=start,
        attempt_case=select(CallAttempt.case_id).where(CallAttempt.id == attempt_id),
        upsert_answers=upsert_answers,
    )
