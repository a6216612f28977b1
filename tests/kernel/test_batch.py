"""The batcher under the calls' ledger writes: items gathered into batches, each caller
given its own result, a failing batch retried item by item, a caller gone not missed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from callcenter.kernel.batch import Batcher


class Writer:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.alone: list[int] = []

    def many(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        if any(i < 0 for i in items):
            raise ValueError("a negative item spoils the batch")
        return [i * 10 for i in items]

    def one(self, item: int) -> int:
        self.alone.append(item)
        if item < 0:
            raise ValueError(f"item {item} is negative")
        return item * 10


async def test_callers_queued_together_share_a_batch_and_get_their_own_results() -> None:
    writer = Writer()
    batcher: Batcher[int, int] = Batcher(writer.many, writer.one, ThreadPoolExecutor(1), "t")

    results = await asyncio.gather(*(batcher.put(i) for i in range(1, 51)))
    await batcher.close()

    assert results == [i * 10 for i in range(1, 51)]
    assert sorted(i for b in writer.batches for i in b) == list(range(1, 51))
    assert len(writer.batches) < 50  # gathered, not one write per caller
    assert writer.alone == []


async def test_a_bad_item_fails_alone_and_the_rest_of_its_batch_is_written() -> None:
    writer = Writer()
    batcher: Batcher[int, int] = Batcher(writer.many, writer.one, None, "t")

    results = await asyncio.gather(*(batcher.put(i) for i in (1, -2, 3)), return_exceptions=True)
    await batcher.close()

    assert results[0] == 10 and results[2] == 30
    assert isinstance(results[1], ValueError) and "item -2 is negative" in str(results[1])
    assert sorted(writer.alone) == [-2, 1, 3]


async def test_a_caller_that_stops_waiting_leaves_the_others_their_results() -> None:
    writer = Writer()
    batcher: Batcher[int, int] = Batcher(writer.many, writer.one, None, "t")

    gone = asyncio.create_task(batcher.put(7))
    staying = asyncio.create_task(batcher.put(8))
    await asyncio.sleep(0)
    gone.cancel()

    assert await staying == 80
    with pytest.raises(asyncio.CancelledError):
        await gone
    await batcher.close()
    assert [7, 8] in writer.batches  # the cancelled caller's item was still written
