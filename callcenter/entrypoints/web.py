"""The aiohttp application: middlewares, routes, and the database it opens and closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from aiohttp import web
from sqlalchemy import Engine

from callcenter.access import security
from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.access.views import auth
from callcenter.access.views import log as access_log
from callcenter.agents.views import routes as agent_pages
from callcenter.calls import views as recordings
from callcenter.calls.integrity import RecordingVerifier
from callcenter.calls.store import Ledger
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.ledger.search import LedgerSearch
from callcenter.ledger.views import call as calls
from callcenter.ledger.views import export
from callcenter.ledger.views import search as ledger
from callcenter.settings import Settings
from callcenter.web import keys
from callcenter.web.templating import STATIC_DIR, make_environment

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, engine: Engine | None = None) -> web.Application:
    """The web application for ``settings``.

    Without ``engine`` it opens (and migrates) the configured database on startup and
    disposes of it on shutdown; a given engine is used as it is and left open.
    """
    app = web.Application(
        middlewares=[
            security.headers_middleware,
            security.errors_middleware,
            security.session_middleware,
            security.csrf_middleware,
        ],
        client_max_size=64 * 1024,  # forms only; nothing is uploaded
    )
    app[keys.SETTINGS] = settings
    app[keys.TEMPLATES] = make_environment()
    app[keys.VERIFIER] = RecordingVerifier(settings.storage_root)
    app.cleanup_ctx.append(_database(engine))
    for module in (auth, ledger, calls, recordings, export, access_log):
        app.router.add_routes(module.routes)
    agent_pages.setup(app)
    app.router.add_get("/healthz", _health)
    app.router.add_static("/static", STATIC_DIR, name="static")
    return app


def _database(given: Engine | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[keys.SETTINGS]
        engine = given
        if engine is None:
            if settings.database_url.startswith("sqlite:///"):
                settings.storage_root.mkdir(parents=True, exist_ok=True)
            engine = make_engine(settings.database_url)
            await asyncio.to_thread(migrate, engine)
        sessions = session_factory(engine)
        app[keys.LEDGER] = Ledger(sessions)
        app[keys.SEARCH] = LedgerSearch(sessions)
        app[keys.ACCESS_LOG] = AccessLog(sessions)
        app[keys.ACCOUNTS] = Accounts(
            sessions,
            idle=timedelta(minutes=settings.web.session_idle_minutes),
            lifetime=timedelta(hours=settings.web.session_max_hours),
        )
        purged = await asyncio.to_thread(app[keys.ACCOUNTS].purge_expired)
        log.info("web pages ready; %d expired sessions removed", purged)
        try:
            yield
        finally:
            if given is None:
                engine.dispose()

    return context


async def _health(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[keys.SEARCH].months)
    return web.Response(text="ok")
