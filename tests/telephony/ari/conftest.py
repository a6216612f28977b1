"""A fake ARI server (aiohttp.web) for the client's unit tests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from yarl import URL

from callcenter.settings import AriSettings
from callcenter.telephony.ari.client import AriClient

USERNAME = "callcenter"
PASSWORD = "s3cret-do-not-log"


@dataclass
class Recorded:
    method: str
    path: str  # decoded
    raw_path: str  # as sent, percent-encoding kept
    query: dict[str, str]
    body: Any
    authorized: bool
    via: str = "http"  # or "websocket": a RESTRequest on the events WebSocket


@dataclass
class FakeAri:
    """REST routes answer from a script (default: 200 ``{}``); /ari/events is a WebSocket."""

    requests: list[Recorded] = field(default_factory=list)
    scripts: dict[tuple[str, str], list[tuple[int, Any]]] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    ws_queries: list[dict[str, str]] = field(default_factory=list)
    ws_rejections: int = 0  # answer this many WebSocket upgrades with 503 first
    autoping: bool = True  # False: ignore the client's pings, like a hung Asterisk
    client_closes: int = 0  # close frames received from the client
    dropped: set[int] = field(default_factory=set)  # ids of sockets the server closed
    release: asyncio.Event = field(default_factory=asyncio.Event)
    # the Asterisk version /asterisk/info reports; from 22.4 the client sends REST on the
    # events WebSocket, which this fake then answers like Asterisk
    version: str = "22.3.0"
    answer_on_socket: bool = True  # False: take RESTRequests and never answer

    def script(self, method: str, path: str, *responses: tuple[int, Any]) -> None:
        """Answer ``method path`` with these (status, body) in turn; the last one repeats."""
        self.scripts[(method, path)] = list(responses)

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    async def send(self, *events: dict[str, Any]) -> None:
        for event in events:
            await self.sockets[-1].send_str(json.dumps(event))

    async def drop(self) -> None:
        self.dropped.add(id(self.sockets[-1]))
        await self.sockets[-1].close()

    async def rest(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                request.raw_path.split("?")[0],
                dict(request.query),
                body,
                request.headers.get("Authorization") == _basic(USERNAME, PASSWORD),
            )
        )
        status, payload = await self._answer(request.method, request.path)
        if status == 204:
            return web.Response(status=204)
        if isinstance(payload, str):
            return web.Response(status=status, text=payload)
        return web.json_response(payload, status=status)

    async def _answer(self, method: str, path: str) -> tuple[int, Any]:
        if path == "/ari/slow":
            await asyncio.wait_for(self.release.wait(), 5)
        script = self.scripts.get((method, path))
        if script:
            return script.pop(0) if len(script) > 1 else script[0]
        if (method, path) == ("GET", "/ari/asterisk/info"):
            return 200, {"system": {"version": self.version}}
        return 200, {}

    async def socket_request(self, ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
        """A RESTRequest on the events WebSocket, answered as Asterisk does."""
        url = URL("/ari/" + message["uri"])
        body = message.get("message_body")
        self.requests.append(
            Recorded(
                message["method"],
                url.path,
                url.raw_path,
                dict(url.query),
                json.loads(body) if body else None,
                True,  # the socket was authorised when it opened
                via="websocket",
            )
        )
        status, payload = await self._answer(message["method"], url.path)
        if not self.answer_on_socket:
            return
        response = {
            "type": "RESTResponse",
            "request_id": message.get("request_id", ""),
            "status_code": status,
            "uri": message["uri"],
        }
        if status != 204:
            response["message_body"] = payload if isinstance(payload, str) else json.dumps(payload)
        await ws.send_str(json.dumps(response))

    async def events(self, request: web.Request) -> web.StreamResponse:
        if self.ws_rejections:
            self.ws_rejections -= 1
            return web.Response(status=503, text="not yet")
        if request.headers.get("Authorization") != _basic(USERNAME, PASSWORD):
            return web.json_response({"message": "Authentication required"}, status=401)
        ws = web.WebSocketResponse(autoping=self.autoping)
        await ws.prepare(request)
        self.ws_queries.append(dict(request.query))
        self.sockets.append(ws)
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                request = json.loads(message.data)
                if request.get("type") == "RESTRequest":
                    # answered in turn, like Asterisk, which runs them one after another
                    await self.socket_request(ws, request)
        # The loop ends on the client's close frame, or when drop() closed the socket.
        if id(ws) not in self.dropped:
            self.client_closes += 1
        return ws


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``condition`` instead of sleeping a fixed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def stop(task: asyncio.Task[Any]) -> None:
    """Cancel a background task and wait until it has finished."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_settings(url: str, **overrides: Any) -> AriSettings:
    values: dict[str, Any] = {
        "url": url,
        "username": USERNAME,
        "password": SecretStr(PASSWORD),
        "app": "callcenter",
        "request_timeout": 1.0,
        "reconnect_max_delay": 0.4,
    }
    values.update(overrides)
    return AriSettings(**values)


@pytest.fixture
async def fake_ari() -> AsyncIterator[tuple[FakeAri, str]]:
    fake = FakeAri()
    app = web.Application()
    app.router.add_get("/ari/events", fake.events)
    app.router.add_route("*", "/ari/{tail:.*}", fake.rest)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        fake.release.set()
        for ws in fake.sockets:
            fake.dropped.add(id(ws))
            await ws.close()
        await server.close()


@pytest.fixture
async def fake(fake_ari: tuple[FakeAri, str]) -> FakeAri:
    return fake_ari[0]


@pytest.fixture
async def ari(fake_ari: tuple[FakeAri, str]) -> AsyncIterator[AriClient]:
    async with AriClient(make_settings(fake_ari[1]), retry_delay=0.01) as client:
        yield client
