"""The aiohttp application: the page shell, the access middlewares, each feature's pages
and keys, and the database it opens and closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access import keys as access_keys
from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.access.throttle import LoginThrottle, policy_of
from callcenter.access.views import routes as access_pages
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.click_to_dial import Paths
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.agents.views import keys as agent_keys
from callcenter.agents.views import routes as agent_pages
from callcenter.bootstrap import open_engine, prompt_cache, scripts, ticket_service
from callcenter.calls import keys as call_keys
from callcenter.calls import views as recording_pages
from callcenter.calls.integrity import RecordingVerifier
from callcenter.calls.store import Ledger
from callcenter.cluster import views as system_pages
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.database import session_factory
from callcenter.ledger.forms.choose import Forms
from callcenter.ledger.store import LedgerReader
from callcenter.ledger.views import keys as ledger_keys
from callcenter.ledger.views import routes as ledger_pages
from callcenter.prompts.service import PromptService
from callcenter.prompts.store import RecordingStore
from callcenter.prompts.views import keys as prompt_keys
from callcenter.prompts.views import routes as prompt_pages
from callcenter.reports.drill import DrillDown
from callcenter.reports.service import ReportService
from callcenter.reports.store import ReportStore
from callcenter.reports.views import keys as report_keys
from callcenter.reports.views import routes as report_pages
from callcenter.settings import Settings
from callcenter.tickets.views import keys as ticket_keys
from callcenter.tickets.views import routes as ticket_pages
from callcenter.transcription.engine import Transcriber, load_transcriber
from callcenter.web import keys as web_keys
from callcenter.web.templating import STATIC_DIR, make_environment

log = logging.getLogger(__name__)

# searched after the shell's own templates, which no feature's may shadow
_TEMPLATES = (
    access_pages.TEMPLATES,
    ledger_pages.TEMPLATES,
    agent_pages.TEMPLATES,
    ticket_pages.TEMPLATES,
    report_pages.TEMPLATES,
    prompt_pages.TEMPLATES,
    system_pages.TEMPLATES,
)


def create_app(
    settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None
) -> web.Application:
    """The web application for ``settings``.

    Without ``engine`` it opens (and migrates) the configured database on startup and
    disposes of it on shutdown; a given engine is used as it is and left open.
    """
    clock = clock or SystemClock()
    app = web.Application(
        # the prompts page's uploads get more room before anything reads them
        middlewares=[prompt_pages.upload_room(settings.prompts), *access_pages.MIDDLEWARES],
        client_max_size=64 * 1024,  # forms only; prompt recordings are the one upload
    )
    app[web_keys.SETTINGS] = settings.web
    app[web_keys.TEMPLATES] = make_environment(_TEMPLATES, hooks=[access_pages.setup_templates])
    app[call_keys.VERIFIER] = RecordingVerifier(settings.storage_root)
    app[ledger_keys.FORMS] = Forms.load(
        settings.profiles_dir, settings.profile, settings.script.parent
    )
    # before the agents' services, which use the stores it opens
    app.cleanup_ctx.append(_database(settings, engine, clock))
    access_pages.setup(app)
    ledger_pages.setup(app)
    recording_pages.setup(app)
    paths = Paths(settings.asterisk_recordings, settings.recordings_dir, settings.storage_root)
    click = agent_pages.ClickSetup(settings.dial, paths, clock)
    agent_pages.setup(app, settings.agents, settings.ari, click)
    ticket_pages.setup(app)
    report_pages.setup(app)
    system_pages.setup(app, settings, clock)
    phone = prompt_pages.PhoneSetup(
        settings.ari, settings.dial, settings.asterisk_recordings, lambda: prompt_cache(settings)
    )
    prompt_pages.setup(app, phone)
    app[report_keys.SETTINGS] = settings.reports
    app.router.add_get("/healthz", _health)
    app.router.add_static("/static", STATIC_DIR, name="static")
    return app


def _database(
    settings: Settings, given: Engine | None, clock: Clock
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        engine = given if given is not None else await asyncio.to_thread(open_engine, settings)
        sessions = session_factory(engine)
        app[call_keys.RECORDINGS] = Ledger(sessions, clock=clock)
        app[ledger_keys.READER] = LedgerReader(sessions)
        app[access_keys.ACCESS_LOG] = AccessLog(sessions, clock)
        app[access_keys.THROTTLE] = LoginThrottle(sessions, clock, policy_of(settings.web))
        app[access_keys.ACCOUNTS] = Accounts(
            sessions,
            idle=timedelta(minutes=settings.web.session_idle_minutes),
            lifetime=timedelta(hours=settings.web.session_max_hours),
            clock=clock,
        )
        app[agent_keys.CALLS] = Ledger(sessions, clock=clock)
        app[agent_keys.ROSTER] = AgentRoster(sessions, clock)
        app[agent_keys.TAKEOVERS] = TakeoverLog(sessions, clock)
        app[agent_keys.CALLBACKS] = CallbackTasks(sessions, clock)
        app[ticket_keys.SERVICE] = ticket_service(settings, Ledger(sessions, clock=clock), clock)
        app[report_keys.SERVICE] = ReportService(ReportStore(sessions), clock)
        app[report_keys.DRILL] = DrillDown(sessions)
        app[system_pages.SESSIONS] = sessions
        app[prompt_keys.SERVICE] = _prompt_service(settings, sessions, clock)
        purged = await asyncio.to_thread(app[access_keys.ACCOUNTS].purge_expired)
        log.info("web pages ready; %d expired sessions removed", purged)
        try:
            yield
        finally:
            if given is None:
                engine.dispose()

    return context


def _prompt_service(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> PromptService:
    """Recorded prompts of the scripts beside the configured one, checked by the
    configured transcription engine (loaded on the first upload, then kept)."""
    loaded: list[Transcriber] = []

    def transcriber() -> Transcriber:
        if not loaded:
            loaded.append(load_transcriber(settings.transcription))
        return loaded[0]

    return PromptService(
        RecordingStore(sessions, clock),
        lambda: scripts(settings).values(),
        transcriber,
        settings.prompts,
        settings.storage_root,
        settings.prompts_dir / "recorded",
        settings.tts_engine,
    )


async def _health(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[ledger_keys.READER].months)
    return web.Response(text="ok")
