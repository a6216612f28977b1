"""Fixtures for the web tests: a seeded ledger on SQLite, one user per role, a client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.access.passwords import hash_password
from callcenter.calls.store import Ledger
from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.settings import Settings, load_settings
from tests.web.seed import Seeded, Speech, render_speech, seed

# role -> (user name, password)
USERS = {
    "admin": ("admin1", "admin-password-1"),
    "supervisor": ("jiwei1", "supervisor-password-1"),
    "auditor": ("ducha1", "auditor-password-1"),
    "agent": ("huawu1", "agent-password-1"),
}

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Speech:
    return render_speech(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    # Argon2 is slow on purpose; hash each test password once per session.
    return {role: hash_password(password) for role, (_, password) in USERS.items()}


@pytest.fixture
def web_db_url(tmp_path: Path) -> str:
    """SQLite here; tests/entrypoints/test_web_postgres.py puts PostgreSQL in its place."""
    return f"sqlite:///{tmp_path / 'web.db'}"


@pytest.fixture
def web_settings(tmp_path: Path, web_db_url: str) -> Settings:
    return load_settings(database_url=web_db_url, storage_root=tmp_path / "storage")


@pytest.fixture
def web_engine(web_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(web_settings.database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def web_ledger(web_engine: Engine) -> Ledger:
    return Ledger(session_factory(web_engine))


@pytest.fixture
def access_log(web_engine: Engine) -> AccessLog:
    return AccessLog(session_factory(web_engine))


@pytest.fixture
def seeded(web_ledger: Ledger, web_settings: Settings, speech: Speech) -> Seeded:
    return seed(web_ledger, web_settings.storage_root, speech)


@pytest.fixture
def users(web_engine: Engine, password_hashes: dict[str, str]) -> dict[str, tuple[str, str]]:
    accounts = Accounts(session_factory(web_engine))
    for role, (name, _) in USERS.items():
        accounts.add_user(name, role, password_hashes[role])
    return USERS


@pytest.fixture
async def client(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(web_settings, engine=web_engine))) as c:
        yield c


# A request's client address, as the tests pretend it (the test server sees 127.0.0.1).
REMOTE_HEADER = "X-Test-Remote"


@web.middleware
async def pretend_remote(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    remote = request.headers.get(REMOTE_HEADER)
    return await handler(request.clone(remote=remote) if remote else request)


@pytest.fixture
def web_clock() -> FixedClock:
    """The pages' clock, standing still until a test moves it."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def clocked_client(
    web_settings: Settings,
    web_engine: Engine,
    users: dict[str, tuple[str, str]],
    web_clock: FixedClock,
) -> AsyncIterator[TestClient]:
    """A client of pages that run on ``web_clock`` and take the client address from the
    ``REMOTE_HEADER`` request header when it is sent."""
    app = create_app(web_settings, engine=web_engine, clock=web_clock)
    app.middlewares.insert(0, pretend_remote)
    async with TestClient(TestServer(app)) as c:
        yield c


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match[1]


async def login(client: TestClient, role: str) -> str:
    """Log in as the test user of ``role``; returns the session's CSRF token."""
    name, password = USERS[role]
    page = await client.get("/login")
    token = csrf_token(await page.text())
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": name, "password": password, "next": "/"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    home = await client.get("/")
    assert home.status == 200
    return csrf_token(await home.text())
