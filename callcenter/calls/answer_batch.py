"""Answers of many calls stored together: one transaction and one statement per batch.

With hundreds of calls up, answers arrive at a hundred or more a second, and storing
each in its own transaction costs more interpreter time than everything else a call
does, time the event loop then lacks. So a controller's answers without a recording
queue here; one write at a time takes everything queued meanwhile. Each caller still
waits for its own answer to be stored (its writes stay in order), and a batch that
fails is written again one answer at a time, so one bad answer fails alone.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime

from sqlalchemy import Engine

from callcenter.calls._statements import statements
from callcenter.interview.answers import Answer
from callcenter.kernel.batch import Batcher
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.transaction import core_transaction, retry_when_busy

# (attempt id, answer without a recording, when it was given)
Row = tuple[str, Answer, datetime]


@retry_when_busy
def save_answers(engine: Engine, rows: list[Row]) -> None:
    """Store answers (none with a recording), replacing earlier answers to the same
    questions, in one transaction; LedgerError naming an attempt that does not exist."""
    with core_transaction(engine, "save_answers") as c:
        sql = statements(c)
        ids = {attempt_id for attempt_id, _, _ in rows}
        known = set(c.execute(sql.known_attempts, {"ids": list(ids)}).scalars())
        if missing := sorted(ids - known):
            raise LedgerError(f"unknown call attempt {missing[0]!r}")
        c.execute(
            sql.upsert_answers,
            [
                {
                    "attempt_id": attempt_id,
                    "question_id": a.question_id,
                    "label": a.label,
                    "kind": a.kind,
                    "keys": a.keys,
                    "value": a.value,
                    "score": a.score,
                    "recording_id": None,
                    "answered_at": at,
                }
                for attempt_id, a, at in rows
            ],
        )


class AnswerBatch:
    """Queues answers for ``write`` (``save_answers`` bound to the ledger's engine),
    run in ``executor`` one batch at a time."""

    def __init__(self, write: Callable[[list[Row]], None], executor: Executor | None) -> None:
        self._write = write
        self._batcher: Batcher[Row, None] = Batcher(
            self._write_many, self._write_one, executor, "answer-batch"
        )

    async def save(self, attempt_id: str, answer: Answer, at: datetime) -> None:
        """Store the answer with the next batch; return once it is stored."""
        if answer.recording is not None:
            raise ValueError("answers with a recording are stored one by one")
        await self._batcher.put((attempt_id, answer, at))

    async def close(self) -> None:
        await self._batcher.close()

    def _write_many(self, rows: list[Row]) -> list[None]:
        self._write(rows)
        return [None] * len(rows)

    def _write_one(self, row: Row) -> None:
        self._write([row])
