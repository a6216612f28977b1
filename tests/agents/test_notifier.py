"""Screen updates: in one process, and across processes through the real Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis
from redis.asyncio import Redis as AsyncRedis

from callcenter.agents.notifier import Change, LocalNotifier, RedisNotifier, make_notifier

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def test_change_round_trip_and_concerns() -> None:
    change = Change("takeover", 7, ("agent1001", "agent1002"))
    assert Change.decode(change.encode()) == change
    assert change.concerns("agent1002") and not change.concerns("agent1003")


async def test_local_fan_out_and_a_slow_subscriber_loses_only_old_changes() -> None:
    hub = LocalNotifier(queue_size=2)
    async with hub.subscribe() as a, hub.subscribe() as b:
        for i in range(3):
            await hub.publish(Change("agent", i))
        assert [a.get_nowait().takeover_id for _ in range(2)] == [1, 2]
        assert b.qsize() == 2
    assert hub.subscribers == 0


def test_without_a_url_changes_stay_in_the_process() -> None:
    assert isinstance(make_notifier(None, "x"), LocalNotifier)
    notifier = make_notifier("redis://:secret@127.0.0.1:6379/0", "x")
    assert "secret" not in repr(notifier)


@pytest.mark.redis
async def test_changes_cross_processes_through_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}", pytrace=False)
    channel = f"callcenter:test:{uuid.uuid4().hex}"
    async with (
        RedisNotifier(REDIS_URL, channel) as web,
        RedisNotifier(REDIS_URL, channel) as ctl,
        web.subscribe() as changes,
    ):
        await web.wait_listening(5)
        await ctl.publish(Change("takeover", 42, ("agent1001",)))
        # a message another program put there is ignored, not fatal
        client = AsyncRedis.from_url(REDIS_URL)
        await client.publish(channel, "not json")
        await client.aclose()
        await ctl.publish(Change("agent", None, ("agent1001",)))
        async with asyncio.timeout(5):
            first, second = await changes.get(), await changes.get()
    assert (first.kind, first.takeover_id, first.agents) == ("takeover", 42, ("agent1001",))
    assert second.kind == "agent"


async def test_publishing_never_raises_when_redis_is_down() -> None:
    async with RedisNotifier("redis://127.0.0.1:9/0", "x") as notifier:
        await notifier.publish(Change("agent"))
        await notifier.flush()  # logged, not raised
