"""Wiring: the one place that builds the parts from settings and hands them over."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.orm import Session, sessionmaker

from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.desk import TakeoverDesk
from callcenter.agents.notifier import Notifier, make_notifier
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.controller import Controller
from callcenter.calls.leases import Leases
from callcenter.calls.slots import Slots
from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.service import CampaignService
from callcenter.campaign.store import CampaignStore
from callcenter.interview.script import Script, load_script
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import get_engine
from callcenter.transcription.queue import transcribing_answers


@contextmanager
def open_ledger(settings: Settings) -> Iterator[Ledger]:
    """A ledger on the configured database, migrated to the latest schema."""
    if settings.database_url.startswith("sqlite:///"):
        settings.storage_root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        yield Ledger(session_factory(engine))
    finally:
        engine.dispose()


@contextmanager
def open_sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database, migrated, for the modules beside the ledger."""
    if settings.database_url.startswith("sqlite:///"):
        settings.storage_root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


def prompt_cache(settings: Settings) -> PromptCache:
    return PromptCache(
        get_engine(settings.tts_engine),
        settings.prompts_dir / "cache",
        settings.prompts_dir / "recorded",
    )


def script(settings: Settings) -> Script:
    return load_script(settings.script)


@asynccontextmanager
async def controller(
    settings: Settings, ledger: Ledger, slots: Slots | None = None
) -> AsyncIterator[Controller]:
    """A running controller; ``slots`` shares the concurrency limit with other processes."""
    async with (
        AriClient(settings.ari) as ari,
        make_notifier(settings.agents.events_url, settings.agents.events_channel) as notifier,
    ):
        ctl = Controller(
            ari,
            ledger,
            script(settings),
            prompt_cache(settings),
            settings,
            slots=slots,
            leases=Leases(ledger.sessions),
        )
        ctl.desk = takeover_desk(settings, ari, ctl.router, ledger.sessions, notifier)
        async with ctl, transcribing_answers(settings, ledger.sessions, ctl):
            yield ctl


def takeover_desk(
    settings: Settings,
    ari: AriClient,
    router: EventRouter,
    sessions: sessionmaker[Session],
    notifier: Notifier,
) -> TakeoverDesk:
    """The desk that hands calls to human agents, on the ledger's database."""
    return TakeoverDesk(
        ari,
        router,
        AgentRoster(sessions),
        TakeoverLog(sessions),
        CallbackTasks(sessions),
        notifier,
        settings.agents,
    )


def campaign_service(
    settings: Settings, ledger: Ledger, clock: Clock | None = None
) -> CampaignService:
    """Planning and operator actions on campaigns, on the ledger's database."""
    return CampaignService(
        CampaignStore(ledger.sessions),
        settings.campaign,
        CallingCalendar.from_settings(settings.campaign),
        clock or SystemClock(),
    )
