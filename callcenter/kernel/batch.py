"""Writes of many callers gathered into one, run in a thread one batch at a time.

At hundreds of calls, a transaction for each small write costs more than the writes
(the pool, BEGIN and COMMIT, SQLite's write lock, the interpreter's time), so callers
queue their items here; one batch at a time takes everything queued meanwhile. Each
caller still waits for its own item and gets its result; a batch that fails is written
again one item at a time, so one bad item fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batcher(Generic[Item, Result]):
    """``write_many`` takes a batch and returns a result per item, in order;
    ``write_one`` writes one item alone. Both run in ``executor`` (None: the loop's
    default threads)."""

    def __init__(
        self,
        write_many: Callable[[list[Item]], list[Result]],
        write_one: Callable[[Item], Result],
        executor: Executor | None,
        name: str,
    ) -> None:
        self._write_many = write_many
        self._write_one = write_one
        self._executor = executor
        self._name = name
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def put(self, item: Item) -> Result:
        """``item`` in the next batch; its result once written."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self._name)
        # shielded: a caller that stops waiting does not take the others' batch with it
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
            items = [item for item, _ in batch]
            try:
                results = await loop.run_in_executor(self._executor, self._write_many, items)
            except Exception:
                for item, future in batch:
                    try:
                        result = await loop.run_in_executor(self._executor, self._write_one, item)
                    except Exception as exc:
                        _settle(future, exc=exc)
                    else:
                        _settle(future, result)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result)


def _settle(
    future: asyncio.Future[Result], result: Result | None = None, exc: Exception | None = None
) -> None:
    if future.done():  # its caller was cancelled
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)  # type: ignore[arg-type]
