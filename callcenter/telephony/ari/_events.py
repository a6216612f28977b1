"""The ARI events WebSocket: one connection at a time, reconnected with backoff.

Asterisk hangs up any call answered into the app while no WebSocket is connected, so
the loop never gives up, and :attr:`EventStream.connected` tells the client when it
may dial.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping

import aiohttp
import orjson
from yarl import URL

from callcenter.kernel.errors import AriUnreachable
from callcenter.telephony.ari.types import ConnectHook, Event, EventHandler

logger = logging.getLogger(__name__)

FIRST_RECONNECT_DELAY = 0.2


class _ResyncFailed(Exception):
    """``on_connect`` raised; the connection is dropped and retried like a failed connect."""


class EventStream:
    """The events of one ARI application, delivered to one handler."""

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        url: URL,
        *,
        app: str,
        headers: Mapping[str, str],
        heartbeat: float,
        connect_timeout: float,
        reconnect_max_delay: float,
    ) -> None:
        self._session = session
        self.url = url
        self._app = app
        self._headers = dict(headers)
        self._heartbeat = heartbeat
        self._connect_timeout = connect_timeout
        self._reconnect_max_delay = reconnect_max_delay
        self._connected = asyncio.Event()
        self._running = False

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._connected.wait()
        except TimeoutError:
            raise AriUnreachable(
                f"events WebSocket {self.url} not connected after {timeout:g} s"
            ) from None

    async def run(self, handler: EventHandler, on_connect: ConnectHook | None) -> None:
        if self._running:
            raise RuntimeError("run_events is already running for this client")
        self._running = True
        delay = FIRST_RECONNECT_DELAY
        attempt = 0
        try:
            while True:
                attempt += 1
                try:
                    await self._stream_once(handler, on_connect, attempt)
                    attempt = 0
                    delay = FIRST_RECONNECT_DELAY
                except (aiohttp.ClientError, TimeoutError, _ResyncFailed) as exc:
                    reason = str(exc) or type(exc).__name__
                    logger.warning(
                        "ARI events %s: connection attempt %d failed: %s",
                        self.url,
                        attempt,
                        reason,
                    )
                pause = random.uniform(delay / 2, delay)
                logger.info("ARI events: reconnecting in %.2f s", pause)
                await asyncio.sleep(pause)
                delay = min(delay * 2, self._reconnect_max_delay)
        finally:
            self._connected.clear()
            self._running = False

    async def _stream_once(
        self, handler: EventHandler, on_connect: ConnectHook | None, attempt: int
    ) -> None:
        """One connection: connect, resync, pump events until the socket closes."""
        ws = await asyncio.wait_for(
            self._session().ws_connect(
                self.url,
                params={"app": self._app, "subscribeAll": "false"},
                headers=self._headers,
                heartbeat=self._heartbeat,
            ),
            timeout=self._connect_timeout,
        )
        # Leaving this block, cancellation included, sends a close frame and waits
        # (bounded by aiohttp's ws_close timeout) for Asterisk to acknowledge it.
        async with ws:
            logger.info("ARI events %s connected (attempt %d)", self.url, attempt)
            if on_connect is not None:
                try:
                    await on_connect()
                except Exception as exc:
                    # Not connected until the caller has resynced: drop and try again.
                    logger.exception("ARI events: on_connect failed")
                    raise _ResyncFailed(f"on_connect failed: {exc!r}") from exc
            try:
                self._connected.set()
                async for message in ws:
                    if message.type is aiohttp.WSMsgType.TEXT:
                        await _deliver(handler, message.data)
                    elif message.type is aiohttp.WSMsgType.ERROR:
                        logger.warning("ARI events error: %s", ws.exception())
                        break
            finally:
                self._connected.clear()
        logger.warning("ARI events %s closed (code %s)", self.url, ws.close_code)


async def _deliver(handler: EventHandler, data: str) -> None:
    try:
        # orjson: several times faster than json, on every event of every call
        event: Event = orjson.loads(data)
    except orjson.JSONDecodeError:
        logger.warning("ARI events: skipping a message that is not JSON: %.200r", data)
        return
    try:
        await handler(event)
    except Exception:
        logger.exception("ARI event handler failed on %s", event.get("type"))
