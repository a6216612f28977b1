"""The servers of a set from settings, and the Redis parts that share calls among them."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from redis.asyncio import Redis

from callcenter.calls.slots import SlotTimeout
from callcenter.cluster import parts as cluster
from callcenter.kernel.errors import ConfigError
from callcenter.settings import load_settings

TWO = {
    "servers": [
        {"name": "a", "ari": {"url": "http://10.0.0.1:8088"}, "max_concurrent": 3},
        {
            "name": "b",
            "ari": {"url": "http://10.0.0.2:8088"},
            "max_concurrent": 2,
            "recordings": "/spool/b",
        },
    ],
}


def test_without_servers_the_set_is_todays_single_server() -> None:
    settings = load_settings(campaign={"max_concurrent_per_trunk": 7})
    [server] = cluster.servers(settings)
    assert (server.name, server.ari, server.trunk, server.limit) == (
        "main",
        settings.ari,
        "trunk",
        7,
    )
    assert server.recordings == settings.asterisk_recordings
    assert cluster.trunk_limits(settings) == {"trunk": 7}
    assert cluster.this_server(settings) == server
    assert [q.name for q in cluster.worker_queues(settings)] == ["celery", "calls.main"]


def test_several_servers_each_with_its_ari_limit_and_spool() -> None:
    settings = load_settings(
        cluster={**TWO, "server": "b"}, campaign={"max_concurrent_per_trunk": 4}
    )
    a, b = cluster.servers(settings)
    assert (a.ari.url, a.limit, b.ari.url, b.limit) == (
        "http://10.0.0.1:8088",
        3,
        "http://10.0.0.2:8088",
        2,
    )
    # one carrier for both: its limit, or the servers' together when that is lower
    assert cluster.trunk_limits(settings) == {"trunk": 4}
    assert cluster.this_server(settings) is not None and cluster.this_server(settings).name == "b"
    own = cluster.server_settings(settings, b)
    assert own.ari.url == "http://10.0.0.2:8088" and own.asterisk_recordings == Path("/spool/b")
    shared, own = cluster.worker_queues(settings)
    assert (shared.name, own.name) == ("celery", "calls.b")
    # bound by its own name only: no shared task, no other server's dial lands in it
    assert (own.exchange.name, own.routing_key) == ("calls.b", "calls.b")
    explicit = load_settings(cluster={**TWO, "trunk_limits": {"trunk": 5}})
    assert cluster.trunk_limits(explicit) == {"trunk": 5}


def test_a_server_not_in_the_set_or_named_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"cluster\.server 'c' is not one of"):
        cluster.this_server(load_settings(cluster={**TWO, "server": "c"}))
    twice = {"servers": [TWO["servers"][0], TWO["servers"][0]]}
    with pytest.raises(ConfigError, match="names must differ"):
        cluster.servers(load_settings(cluster=twice))
    with pytest.raises(ConfigError, match=r"cluster\.servers\.0\.name"):
        load_settings(cluster={"servers": [{"name": "Bad Name"}]})


@pytest.mark.redis
async def test_jobs_go_to_up_servers_with_room_and_count_until_dialled(
    redis_url: str, redis_prefix: str
) -> None:
    settings = load_settings(
        cluster={**TWO, "server": "a", "down_after_seconds": 5},
        campaign={"max_concurrent_per_trunk": 10, "key_prefix": redis_prefix},
    )
    sent: list[tuple[int, str, str]] = []
    redis = Redis.from_url(redis_url)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(redis.aclose)
        parts = await cluster.open_server_parts(
            stack, settings, redis, lambda j, k, s: sent.append((j, k, s))
        )
        routed = parts.route
        assert await routed.plan() == []  # no worker has said its server answers
        await routed.beacons.beat("a", "w-a")
        assert await routed.plan() == ["a", "a", "a"]
        await routed.beacons.beat("b", "w-b")
        assert sorted(await routed.plan()) == ["a", "a", "a", "b", "b"]
        for n, server in enumerate(await routed.plan()):
            await routed.send(n, f"k{n}", server)
        assert sorted(s for _, _, s in sent) == ["a", "a", "a", "b", "b"]
        # sent but not dialled yet: they count, so a second dispatch adds nothing
        assert await routed.plan() == []
        # worker a dials one: a slot held and its routing mark gone count once
        mine = next(k for _, k, s in sent if s == "a")
        async with parts.slots.hold(mine):
            await routed.done(mine)
            assert await routed.plan() == []
        assert await routed.plan() == ["a"]
        await routed.beacons.drop("b", "w-b")
        assert {load.name: load.up for load in await routed.loads()} == {"a": True, "b": False}


@pytest.mark.redis
async def test_jobs_sent_beyond_every_servers_room_wait_on_the_least_loaded(
    redis_url: str, redis_prefix: str
) -> None:
    settings = load_settings(
        cluster={**TWO, "server": "a", "down_after_seconds": 5},
        campaign={"max_concurrent_per_trunk": 10, "key_prefix": redis_prefix},
    )
    sent: list[tuple[int, str, str]] = []
    redis = Redis.from_url(redis_url)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(redis.aclose)
        parts = await cluster.open_server_parts(
            stack, settings, redis, lambda j, k, s: sent.append((j, k, s))
        )
        routed = parts.route
        await routed.beacons.beat("a", "w-a")
        await routed.beacons.beat("b", "w-b")
        for n, server in enumerate(await routed.plan()):
            await routed.send(n, f"k{n}", server)
        # both full: jobs queued ahead spread by load for each limit (3 and 2), not all
        # on the first server named
        for n in range(5, 10):
            await routed.send(n, f"k{n}", None)
        ahead = [s for j, _, s in sent if j >= 5]
        assert sorted(ahead) == ["a", "a", "a", "b", "b"]
        await routed.beacons.drop("b", "w-b")
        await routed.send(10, "k10", None)
        assert sent[-1][2] == "a"  # only the server up


@pytest.mark.redis
async def test_a_call_holds_a_slot_of_its_server_and_of_its_trunk(
    redis_url: str, redis_prefix: str
) -> None:
    settings = load_settings(
        cluster={**TWO, "server": "b"},
        campaign={"max_concurrent_per_trunk": 10, "key_prefix": redis_prefix},
    )
    redis = Redis.from_url(redis_url)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(redis.aclose)
        parts = await cluster.open_server_parts(stack, settings, redis, lambda *_: None)
        slots = parts.slots
        async with slots.hold("x1"), slots.hold("x2"):
            assert (await slots.server.in_use(), await slots.in_use()) == (2, 2)
            with pytest.raises(SlotTimeout):
                async with slots.hold("x3", timeout=0.3):
                    pass
            async with slots.hold("x1"):  # the controller asks again for the same call
                pass
        assert await slots.in_use() == 0
        await asyncio.sleep(0)


def test_a_worker_of_a_server_starts_its_runtime_when_ready() -> None:
    import threading
    from types import SimpleNamespace

    started = threading.Event()
    ready = cluster.start_when_ready(started.set)

    def consumer(*names: str) -> SimpleNamespace:
        queues = [SimpleNamespace(name=n) for n in names]
        return SimpleNamespace(task_consumer=SimpleNamespace(queues=queues))

    ready(sender=consumer("transcription"))  # not a server's worker: nothing started
    assert not started.wait(0.2)
    # a server's worker beats at once, not after a dispatch happens to come its way
    ready(sender=consumer("celery", "calls.a"))
    assert started.wait(5)
