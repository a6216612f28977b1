"""The web application served on a test port, driven from synchronous Hypothesis
examples: one event loop of its own, one cookie jar per role, every response read in
full."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDictProxy
from yarl import URL

from tests.web.fixtures import USERS, csrf_token

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    cookies: set[str] = field(default_factory=set)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip()


class Site:
    """``app`` on 127.0.0.1; ``login`` gives a role its own logged-in browser."""

    def __init__(self, app: web.Application) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = TestServer(app)
        self.loop.run_until_complete(self.server.start_server())
        self.base = str(self.server.make_url("/")).rstrip("/")
        self._browsers: dict[str, ClientSession] = {}
        self.tokens: dict[str, str] = {}
        self.requests = 0

    def browser(self, role: str) -> ClientSession:
        if role not in self._browsers:

            async def make() -> ClientSession:
                return ClientSession(cookie_jar=CookieJar(unsafe=True))

            self._browsers[role] = self.loop.run_until_complete(make())
        return self._browsers[role]

    def login(self, role: str) -> None:
        name, password = USERS[role]
        page = self.send(role, "GET", "/login")
        done = self.send(
            role,
            "POST",
            "/login",
            data={
                "csrf_token": csrf_token(page.body.decode()),
                "username": name,
                "password": password,
            },
        )
        assert done.status == 303, done.body.decode()
        home = self.send(role, "GET", "/")
        self.tokens[role] = csrf_token(home.body.decode())

    def send(
        self,
        role: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        encoded: bool = False,
    ) -> Answer:
        """One request; ``path`` is taken as already percent-encoded when ``encoded``."""
        url: Any = URL(self.base + path, encoded=True) if encoded else self.base + path
        browser = self.browser(role)

        async def go() -> Answer:
            async with browser.request(
                method, url, params=params, data=data, headers=headers, allow_redirects=False
            ) as response:
                body = await response.read()
                return Answer(response.status, response.headers, body, set(response.cookies))

        self.requests += 1
        return self.loop.run_until_complete(go())

    def close(self) -> None:
        for browser in self._browsers.values():
            self.loop.run_until_complete(browser.close())
        self.loop.run_until_complete(self.server.close())
        self.loop.close()
