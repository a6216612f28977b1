"""Fixtures for tests on the real Asterisk sandbox (marked ``asterisk``).

The sandbox is started by the project's own code, as ``callcenter sandbox up`` does.
If it cannot start, the tests fail with the reason: they never skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from callcenter.kernel.errors import CallcenterError
from callcenter.settings import Settings, load_settings
from callcenter.telephony.sandbox.cli import up

# One storage root for every test run, so the sandbox keeps its config (no restart)
# and rendered prompts are reused; every call writes under its own attempt id.
TEST_STORAGE = Path("/var/cache/callcenter/test-storage")


def e2e_settings(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "storage_root": TEST_STORAGE,
        "ivr": {"key_timeout": 4.0, "recording_max_seconds": 30, "recording_max_silence": 3},
        "dial": {"ring_timeout": 8, "max_concurrent": 50},
        # no transcription worker listens in these tests: queue nothing for one
        "transcription": {"enabled": False},
    }
    # Asterisk gives each ARI app one events connection: test runs side by side on
    # the same sandbox (or a controller running beside them) must not share a name
    ari = {"app": f"callcenter-test-{os.getpid()}", **dict(overrides.pop("ari", {}))}  # type: ignore[call-overload]
    base.update(overrides)
    base["ari"] = ari
    return load_settings(**base)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Settings]:
    settings = e2e_settings()
    try:
        up(settings)
    except CallcenterError as exc:
        pytest.fail(f"the Asterisk sandbox could not start: {exc}", pytrace=False)
    yield settings


class CuttableProxy:
    """A TCP relay in front of ARI whose connections a test can cut, like a network drop."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.cuts = 0
        self.accepted = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            w.close()

        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def cut(self) -> None:
        """Drop every open connection at once (the WebSocket and pooled REST ones)."""
        self.cuts += 1
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def ari_proxy(sandbox: Settings) -> AsyncIterator[CuttableProxy]:
    proxy = CuttableProxy(int(sandbox.ari.url.rsplit(":", 1)[1]))
    await proxy.start()
    yield proxy
    await proxy.close()
