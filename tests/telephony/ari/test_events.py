"""Events WebSocket of AriClient: ordering, resync hook, reconnect, heartbeat, cancel."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from callcenter.kernel.errors import AriUnreachable
from callcenter.telephony.ari.client import AriClient

from .conftest import FakeAri, make_settings, stop, until


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.connects = 0

    async def handler(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    async def on_connect(self) -> None:
        self.connects += 1

    def numbers(self) -> list[int]:
        return [e["n"] for e in self.events]


@contextlib.asynccontextmanager
async def running(ari: AriClient, recorder: Recorder) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(ari.run_events(recorder.handler, recorder.on_connect))
    try:
        yield task
    finally:
        await stop(task)


async def test_events_delivered_in_order(ari: AriClient, fake: FakeAri) -> None:
    recorder = Recorder()
    async with running(ari, recorder):
        await ari.wait_connected(2)
        await fake.send(*({"type": "ChannelDtmfReceived", "n": n} for n in range(100)))
        await until(lambda: len(recorder.events) == 100)

    assert recorder.numbers() == list(range(100))
    assert fake.ws_queries == [{"app": "callcenter", "subscribeAll": "false"}]


async def test_on_connect_runs_before_events_and_originate(ari: AriClient, fake: FakeAri) -> None:
    release = asyncio.Event()
    recorder = Recorder()

    async def slow_resync() -> None:
        recorder.connects += 1
        await release.wait()

    task = asyncio.create_task(ari.run_events(recorder.handler, slow_resync))
    await until(lambda: recorder.connects == 1)
    await fake.send({"type": "StasisStart", "n": 1}, {"type": "StasisEnd", "n": 2})

    assert recorder.events == []
    assert not ari.connected  # no originating until the resync is done
    release.set()
    await until(lambda: len(recorder.events) == 2)
    assert ari.connected
    await stop(task)


async def test_reconnects_after_server_drop(ari: AriClient, fake: FakeAri) -> None:
    recorder = Recorder()
    async with running(ari, recorder):
        await ari.wait_connected(2)
        await fake.send({"n": 1})
        await until(lambda: len(recorder.events) == 1)

        await fake.drop()
        await until(lambda: not ari.connected)
        with pytest.raises(AriUnreachable):
            await ari.originate("PJSIP/100@trunk", channel_id="c1")

        await ari.wait_connected(2)
        await fake.send({"n": 2})
        await until(lambda: len(recorder.events) == 2)

    assert recorder.connects == 2
    assert recorder.numbers() == [1, 2]
    assert len(fake.sockets) == 2


async def test_keeps_trying_when_connect_fails(ari: AriClient, fake: FakeAri) -> None:
    fake.ws_rejections = 2
    recorder = Recorder()
    async with running(ari, recorder):
        await ari.wait_connected(3)

    assert fake.ws_rejections == 0
    assert recorder.connects == 1


async def test_failed_on_connect_drops_and_retries(ari: AriClient, fake: FakeAri) -> None:
    attempts = 0

    async def flaky_resync() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("GET /channels failed")

    task = asyncio.create_task(ari.run_events(Recorder().handler, flaky_resync))
    await ari.wait_connected(2)
    await stop(task)

    assert attempts == 2
    assert len(fake.sockets) == 2


async def test_handler_error_does_not_stop_the_stream(ari: AriClient, fake: FakeAri) -> None:
    seen: list[int] = []

    async def handler(event: dict[str, Any]) -> None:
        seen.append(event["n"])
        if event["n"] == 1:
            raise ValueError("bad event")

    task = asyncio.create_task(ari.run_events(handler))
    await ari.wait_connected(2)
    await fake.sockets[-1].send_str("not json")
    await fake.send({"n": 1}, {"n": 2})
    await until(lambda: seen == [1, 2])
    await stop(task)
    assert len(fake.sockets) == 1


async def test_missing_pongs_trigger_reconnect(fake_ari: tuple[FakeAri, str]) -> None:
    fake, url = fake_ari
    fake.autoping = False
    recorder = Recorder()
    async with AriClient(make_settings(url), heartbeat=0.1) as ari, running(ari, recorder):
        # the client's own count: the server sees the new socket before on_connect runs
        await until(lambda: recorder.connects >= 2)

    assert len(fake.sockets) >= 2


async def test_cancel_closes_websocket_cleanly(ari: AriClient, fake: FakeAri) -> None:
    task = asyncio.create_task(ari.run_events(Recorder().handler))
    await ari.wait_connected(2)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await until(lambda: fake.client_closes == 1)
    assert not ari.connected
    assert fake.sockets[-1].close_code == 1000


async def test_only_one_events_loop_per_client(ari: AriClient) -> None:
    recorder = Recorder()
    async with running(ari, recorder):
        await ari.wait_connected(2)
        with pytest.raises(RuntimeError, match="already running"):
            await ari.run_events(recorder.handler)
