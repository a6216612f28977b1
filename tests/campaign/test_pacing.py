"""The shared slot limit on a real Redis: held across processes, freed by lease expiry."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from callcenter.calls.slots import LocalSlots, SlotTimeout
from callcenter.campaign.pacing import DispatchGate, RedisSlots, slots_key
from callcenter.settings import PROJECT_ROOT

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def key(redis_prefix: str) -> str:
    return slots_key(redis_prefix, "trunk")


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    best = now = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


async def test_limit_holds_between_two_limiters(redis: Redis, key: str) -> None:
    a, b = RedisSlots(redis, key, 3, 5, 0.02), RedisSlots(redis, key, 3, 5, 0.02)
    up = peak = 0

    async def call(slots: RedisSlots, i: int) -> None:
        nonlocal up, peak
        async with slots.hold(f"call-{i}", timeout=30):
            up += 1
            peak = max(peak, up)
            assert await slots.in_use() <= 3
            await asyncio.sleep(0.05)
            up -= 1

    await asyncio.gather(*(call(a if i % 2 else b, i) for i in range(24)))
    assert peak == 3
    assert await a.in_use() == 0
    await a.close()
    await b.close()


async def test_hold_is_reentrant_per_token(redis: Redis, key: str) -> None:
    slots = RedisSlots(redis, key, 1, 5)
    async with slots.hold("job-1"), slots.hold("job-1"):
        assert await slots.in_use() == 1
    assert await slots.in_use() == 0
    local = LocalSlots(1)
    async with local.hold("x"), local.hold("x"):
        assert await local.in_use() == 1
    await slots.close()


async def test_a_slot_released_early_is_free_at_once_and_not_given_back_twice(
    redis: Redis, key: str
) -> None:
    shared = RedisSlots(redis, key, 1, 5, 0.02)
    slots: RedisSlots | LocalSlots
    for slots in (shared, LocalSlots(1)):
        async with slots.hold("job-1"), slots.hold("job-1"):
            await slots.release("job-1")
            assert await slots.in_use() == 0
            # the next call takes it while the first is still doing its bookkeeping
            async with slots.hold("job-2", timeout=1):
                assert await slots.in_use() == 1
                await slots.release("job-1")  # nothing held: nothing given back
                assert await slots.in_use() == 1
        assert await slots.in_use() == 0
        async with slots.hold("job-3", timeout=1):
            with pytest.raises(SlotTimeout):
                async with slots.hold("job-4", timeout=0.1):
                    pass
    await shared.close()


async def test_a_slot_freed_here_goes_to_the_longest_waiter_at_once(redis: Redis, key: str) -> None:
    # polling once a minute: only the hand-over can give the waiters their slot in time
    slots = RedisSlots(redis, key, 1, 5, poll_seconds=60)
    order: list[str] = []

    async def wait_for_slot(token: str) -> None:
        async with slots.hold(token, timeout=5):
            order.append(token)
            await asyncio.sleep(0.05)

    async with slots.hold("first"):
        waiting = []
        for i in range(3):  # one after the other, so that they wait in this order
            waiting.append(asyncio.create_task(wait_for_slot(f"w{i}")))
            await asyncio.sleep(0.1)
        assert order == []
    await asyncio.wait_for(asyncio.gather(*waiting), 2)
    assert order == ["w0", "w1", "w2"]
    assert await slots.in_use() == 0
    await slots.close()


async def test_timeout_when_every_slot_is_taken(redis: Redis, key: str) -> None:
    slots = RedisSlots(redis, key, 1, 5, 0.02)
    async with slots.hold("first"):
        with pytest.raises(SlotTimeout, match="all 1 call slots"):
            async with slots.hold("second", timeout=0.2):
                pass
        assert not slots._waiters  # every poll's wait was taken back off the queue
    with pytest.raises(SlotTimeout):
        async with LocalSlots(0).hold("x", timeout=0.05):
            pass
    await slots.close()


async def test_leases_are_renewed_while_held(redis: Redis, key: str) -> None:
    slots = RedisSlots(redis, key, 1, lease_seconds=0.6, poll_seconds=0.02)
    async with slots.hold("long-call"):
        await asyncio.sleep(1.5)  # more than two leases
        other = RedisSlots(redis, key, 1, 0.6, 0.02)
        with pytest.raises(SlotTimeout):
            async with other.hold("intruder", timeout=0.3):
                pass
    await slots.close()


HOLDER = """
import asyncio, sys, time
from redis.asyncio import Redis
from callcenter.campaign.pacing import RedisSlots
async def main(url, key, name, calls, hold):
    r = Redis.from_url(url)
    slots = RedisSlots(r, key, int(sys.argv[6]), 1.0, 0.02)
    async def one(i):
        async with slots.hold(f"{name}-{i}", timeout=60):
            start = time.time()
            held = await r.zcard(key)
            await asyncio.sleep(hold)
            await r.rpush(key + ":log", f"{start} {time.time()} {held}")
    await asyncio.gather(*(one(i) for i in range(calls)))
    await slots.close()
    await r.aclose()
asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])))
"""


def holder(
    redis_url: str, key: str, name: str, calls: int, hold: float, limit: int
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, redis_url, key, name, str(calls), str(hold), str(limit)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


async def test_limit_holds_across_processes(redis: Redis, redis_url: str, key: str) -> None:
    procs = [holder(redis_url, key, f"p{i}", 8, 0.1, 4) for i in range(3)]
    for p in procs:
        assert p.wait(60) == 0
        assert p.stdout is not None
        p.stdout.close()
    raw = await redis.lrange(key + ":log", 0, -1)
    entries = [[float(x) for x in item.split()] for item in raw]
    assert len(entries) == 24
    # never more than 4 held, as the holders timed themselves and as Redis counted
    assert max_overlap([(a, b) for a, b, _ in entries]) <= 4
    assert max(held for _, _, held in entries) == 4  # and the limit was reached


async def test_a_killed_holder_frees_its_slot_when_the_lease_runs_out(
    redis: Redis, key: str
) -> None:
    slots = RedisSlots(redis, key, 1, lease_seconds=1.0, poll_seconds=0.02)
    # a process that takes the only slot and hangs on to it, then dies without a word
    code = (
        "import asyncio,sys\n"
        "from redis.asyncio import Redis\n"
        "from callcenter.campaign.pacing import RedisSlots\n"
        "async def main():\n"
        "    s = RedisSlots(Redis.from_url(sys.argv[1]), sys.argv[2], 1, 1.0)\n"
        "    async with s.hold('doomed'):\n"
        "        print('held', flush=True)\n"
        "        await asyncio.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    url = redis.connection_pool.connection_kwargs
    redis_url = f"redis://{url['host']}:{url['port']}/{url['db']}"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, redis_url, key],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert await slots.in_use() == 1
        await asyncio.sleep(1.2)  # its renewals keep it held past one lease
        assert await slots.in_use() == 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        started = time.monotonic()
        async with slots.hold("survivor", timeout=10):
            waited = time.monotonic() - started
        assert waited < 3, waited
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    await slots.close()


async def test_dispatch_gate_never_overlaps_and_never_drops_a_request(
    redis: Redis, key: str
) -> None:
    gate = DispatchGate(redis, key)
    running = overlap = 0
    runs = 0

    async def dispatch() -> None:
        nonlocal running, overlap, runs
        running += 1
        overlap = max(overlap, running)
        runs += 1
        await asyncio.sleep(0.05)
        running -= 1

    results = await asyncio.gather(*(gate.run(dispatch) for _ in range(10)))
    assert overlap == 1
    assert sum(results) == runs >= 1
    # a request after all are done runs again
    assert await gate.run(dispatch) == 1
