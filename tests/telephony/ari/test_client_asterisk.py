"""AriClient against the real Asterisk sandbox (ARI on 127.0.0.1:8088)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from callcenter.kernel.errors import AriNotFound
from callcenter.settings import AriSettings
from callcenter.telephony.ari.client import AriClient

from .conftest import stop

pytestmark = pytest.mark.asterisk

# A test-only app name so this cannot take the events WebSocket away from a running
# controller registered as "callcenter" on the same Asterisk.
SANDBOX = AriSettings(
    url="http://127.0.0.1:8088",
    username="callcenter",
    password=SecretStr("callcenter-sandbox"),
    app=f"callcenter-test-{uuid.uuid4().hex[:8]}",
    request_timeout=5.0,
    reconnect_max_delay=1.0,
)


@pytest.fixture
async def asterisk(sandbox: object) -> AsyncIterator[AriClient]:
    async with AriClient(SANDBOX) as ari:
        yield ari


async def test_asterisk_info_and_ping(asterisk: AriClient) -> None:
    info = await asterisk.asterisk_info()
    pong = await asterisk.ping()

    assert info["system"]["version"].startswith("22.")
    assert pong["ping"] == "pong"


async def test_channels_and_not_found(asterisk: AriClient) -> None:
    assert isinstance(await asterisk.channels(), list)
    with pytest.raises(AriNotFound, match="Channel not found"):
        await asterisk.get_channel(f"no-such-{uuid.uuid4().hex}")


async def test_global_variable_round_trip(asterisk: AriClient) -> None:
    value = uuid.uuid4().hex
    await asterisk.set_global_var("CALLCENTER_ARI_TEST", value)

    assert await asterisk.get_global_var("CALLCENTER_ARI_TEST") == value


async def test_events_websocket_registers_the_app(asterisk: AriClient) -> None:
    resyncs = 0

    async def on_connect() -> None:
        nonlocal resyncs
        resyncs += 1
        await asterisk.channels()

    async def handler(event: dict[str, Any]) -> None:
        pass

    task = asyncio.create_task(asterisk.run_events(handler, on_connect))
    try:
        await asterisk.wait_connected(5)
        app = await asterisk.request("GET", f"/applications/{SANDBOX.app}")
    finally:
        await stop(task)

    assert resyncs == 1
    assert app["name"] == SANDBOX.app
    assert not asterisk.connected
