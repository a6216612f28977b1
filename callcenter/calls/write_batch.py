"""The writes of many calls in one transaction: when each picked up, its whole-call
recording and its outcome.

Each is a function of a connection (``Ledger.…_op``). At hundreds of calls, a
transaction of its own for each costs more than the statements in it (the pool, BEGIN
and COMMIT, SQLite's write lock); so a controller's writes queue here, and one
transaction at a time takes everything queued meanwhile. Each caller still waits for
its own write and gets its result; a batch that fails is written again one write at a
time, so one bad write fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Executor
from typing import Any, TypeVar

from sqlalchemy import Engine

from callcenter.calls._attempt_writes import Op
from callcenter.kernel.transaction import core_transaction, retry_when_busy

T = TypeVar("T")
Pending = tuple[str, Op[Any], asyncio.Future[Any]]


class WriteBatch:
    """Runs queued writes on ``engine`` in ``executor`` (None: the loop's default
    threads), one batch at a time."""

    def __init__(self, engine: Engine, executor: Executor | None) -> None:
        self._engine = engine
        self._executor = executor
        self._pending: list[Pending] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run(self, action: str, op: Op[T]) -> T:
        """``op`` in the next batch; its result once committed. ``action`` names it in
        errors when it fails alone."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((action, op, future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="write-batch")
        return await asyncio.shield(future)

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
            ops = [op for _, op, _ in batch]
            try:
                results = await loop.run_in_executor(self._executor, self._together, ops)
            except Exception:
                for action, op, future in batch:  # one at a time: only the bad one fails
                    try:
                        result = await loop.run_in_executor(self._executor, self._alone, action, op)
                    except Exception as exc:
                        _settle(future, exc=exc)
                    else:
                        _settle(future, result)
            else:
                for (_, _, future), result in zip(batch, results, strict=True):
                    _settle(future, result)

    @retry_when_busy
    def _together(self, ops: list[Op[Any]]) -> list[Any]:
        with core_transaction(self._engine, "batched call writes") as c:
            return [op(c) for op in ops]

    @retry_when_busy
    def _alone(self, action: str, op: Op[Any]) -> Any:
        with core_transaction(self._engine, action) as c:
            return op(c)


def _settle(future: asyncio.Future[Any], result: Any = None, exc: Exception | None = None) -> None:
    if future.done():  # its caller was cancelled
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
