"""The writes of many calls in one transaction: when each picked up, its whole-call
recording and its outcome.

Each is a function of a connection (``Ledger.…_op``); a controller's writes queue in a
:class:`~callcenter.kernel.batch.Batcher`, and one transaction at a time runs everything
queued meanwhile. A batch that fails is written again one write at a time, each in a
transaction of its own named by its action, so one bad write fails alone.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any, TypeVar

from sqlalchemy import Engine

from callcenter.calls._attempt_writes import Op
from callcenter.kernel.batch import Batcher
from callcenter.kernel.transaction import core_transaction, retry_when_busy

T = TypeVar("T")


class WriteBatch:
    """Runs queued writes on ``engine`` in ``executor`` (None: the loop's default
    threads), one batch at a time."""

    def __init__(self, engine: Engine, executor: Executor | None) -> None:
        self._engine = engine
        self._batcher: Batcher[tuple[str, Op[Any]], Any] = Batcher(
            self._together, self._alone, executor, "write-batch"
        )

    async def run(self, action: str, op: Op[T]) -> T:
        """``op`` in the next batch; its result once committed. ``action`` names it in
        errors when it fails alone."""
        result: T = await self._batcher.put((action, op))
        return result

    async def close(self) -> None:
        await self._batcher.close()

    @retry_when_busy
    def _together(self, writes: list[tuple[str, Op[Any]]]) -> list[Any]:
        with core_transaction(self._engine, "batched call writes") as c:
            return [op(c) for _, op in writes]

    @retry_when_busy
    def _alone(self, write: tuple[str, Op[Any]]) -> Any:
        action, op = write
        with core_transaction(self._engine, action) as c:
            return op(c)
