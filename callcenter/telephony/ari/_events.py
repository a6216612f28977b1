"""The ARI events WebSocket: one connection at a time, reconnected with backoff.

Asterisk hangs up any call answered into the app while no WebSocket is connected, so
the loop never gives up, and :attr:`EventStream.connected` tells the client when it
may dial. Where Asterisk takes REST requests on the WebSocket (``_ws_requests``), their
answers arrive among the events: the reader hands those over at once and the events to
a task of their own, so a handler that itself waits for an answer cannot stall it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import orjson
from yarl import URL

from callcenter.kernel.errors import AriUnreachable
from callcenter.telephony.ari._ws_requests import WsRequests
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
        takes_requests: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self._session = session
        self.url = url
        self._app = app
        self._headers = dict(headers)
        self._heartbeat = heartbeat
        self._connect_timeout = connect_timeout
        self._reconnect_max_delay = reconnect_max_delay
        # asked on each connection: whether this Asterisk answers REST on the WebSocket
        self._takes_requests = takes_requests
        self._connected = asyncio.Event()
        self._running = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._requests = WsRequests()
        self._heard = 0.0

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

    async def request(
        self, method: str, path: str, query: Mapping[str, str], body: Any, timeout: float
    ) -> tuple[int, str] | None:
        """Send a REST request on the WebSocket: its status and body, or None when this
        connection cannot carry it (not connected, or an Asterisk too old); use HTTP then."""
        ws = self._ws  # set only while connected to an Asterisk that takes them
        if ws is None or ws.closed:
            return None
        return await self._requests.send(ws, method, path, query, body, timeout)

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
        # autoping off and no aiohttp heartbeat: aiohttp re-arms its heartbeat timer on
        # every message, a cost on each event; ``_keepalive`` pings only a quiet socket
        ws = await asyncio.wait_for(
            self._session().ws_connect(
                self.url,
                params={"app": self._app, "subscribeAll": "false"},
                headers=self._headers,
                autoping=False,
            ),
            timeout=self._connect_timeout,
        )
        # Leaving this block, cancellation included, sends a close frame and waits
        # (bounded by aiohttp's ws_close timeout) for Asterisk to acknowledge it.
        async with ws:
            logger.info("ARI events %s connected (attempt %d)", self.url, attempt)
            loop = asyncio.get_running_loop()
            self._heard = loop.time()
            keepalive = asyncio.create_task(self._keepalive(ws), name="ari-keepalive")
            events: asyncio.Queue[Event | None] = asyncio.Queue()
            delivery: asyncio.Task[None] | None = None
            try:
                if on_connect is not None:
                    try:
                        await on_connect()
                    except Exception as exc:
                        # Not connected until the caller has resynced: drop and try again.
                        logger.exception("ARI events: on_connect failed")
                        raise _ResyncFailed(f"on_connect failed: {exc!r}") from exc
                if self._takes_requests is not None and await self._takes_requests():
                    self._ws = ws
                delivery = asyncio.create_task(_deliver_all(events, handler), name="ari-events")
                self._connected.set()
                await self._read(ws, events, loop)
            finally:
                self._connected.clear()
                self._ws = None
                self._requests.fail_all("the events WebSocket closed before Asterisk answered")
                keepalive.cancel()
                if delivery is not None:
                    # events already received still reach the handler, unless stopping
                    events.put_nowait(None)
                    me = asyncio.current_task()
                    if me is not None and me.cancelling():
                        delivery.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await delivery
        logger.warning("ARI events %s closed (code %s)", self.url, ws.close_code)

    async def _read(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        events: asyncio.Queue[Event | None],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        async for message in ws:
            self._heard = loop.time()
            kind = message.type
            if kind is aiohttp.WSMsgType.TEXT:
                event = _decode(message.data)
                if event is None:
                    continue
                if event.get("type") == "RESTResponse":
                    self._requests.answer(event)
                else:
                    events.put_nowait(event)
            elif kind is aiohttp.WSMsgType.PING:
                await ws.pong(message.data)
            elif kind is aiohttp.WSMsgType.ERROR:
                logger.warning("ARI events error: %s", ws.exception())
                break

    async def _keepalive(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Ping a socket that has been quiet for ``heartbeat`` seconds; close it when
        nothing, not even the pong, comes back within half that again."""
        loop = asyncio.get_running_loop()
        while not ws.closed:
            quiet = loop.time() - self._heard
            if quiet < self._heartbeat:
                await asyncio.sleep(self._heartbeat - quiet)
                continue
            pinged = loop.time()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.ping()
            await asyncio.sleep(self._heartbeat / 2)
            if self._heard < pinged:
                logger.warning("ARI events %s: no answer to a ping; reconnecting", self.url)
                await ws.close()
                return


def _decode(data: str) -> Event | None:
    try:
        # orjson: several times faster than json, on every event of every call
        event: Event = orjson.loads(data)
    except orjson.JSONDecodeError:
        logger.warning("ARI events: skipping a message that is not JSON: %.200r", data)
        return None
    return event


async def _deliver_all(events: asyncio.Queue[Event | None], handler: EventHandler) -> None:
    """Hand the events to ``handler`` one at a time, in arrival order, until None."""
    while (event := await events.get()) is not None:
        try:
            await handler(event)
        except Exception:
            logger.exception("ARI event handler failed on %s", event.get("type"))
