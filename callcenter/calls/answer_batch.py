"""Answers of many calls stored together: one transaction and one statement per batch.

With hundreds of calls up, answers arrive at a hundred or more a second, and storing
each in its own transaction costs more interpreter time than everything else a call
does, time the event loop then lacks. So a controller's answers without a recording
queue here; one write at a time takes everything queued meanwhile. Each caller still
waits for its own answer to be stored (its writes stay in order), and a batch that
fails is written again one answer at a time, so one bad answer fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime

from sqlalchemy import Engine

from callcenter.calls._statements import statements
from callcenter.interview.answers import Answer
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
        ids = list({attempt_id for attempt_id, _, _ in rows})
        known = set(c.execute(sql.known_attempts, {"ids": ids}).scalars())
        if missing := sorted(set(ids) - known):
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
        self._executor = executor
        self._pending: list[tuple[Row, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def save(self, attempt_id: str, answer: Answer, at: datetime) -> None:
        """Store the answer with the next batch; return once it is stored."""
        if answer.recording is not None:
            raise ValueError("answers with a recording are stored one by one")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(((attempt_id, answer, at), future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="answer-batch")
        await asyncio.shield(future)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                await loop.run_in_executor(self._executor, self._write, [r for r, _ in batch])
            except Exception:
                for row, future in batch:  # one at a time: only the bad one fails
                    try:
                        await loop.run_in_executor(self._executor, self._write, [row])
                    except Exception as exc:
                        future.set_exception(exc)
                    else:
                        future.set_result(None)
            else:
                for _, future in batch:
                    future.set_result(None)
