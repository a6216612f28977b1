"""Wiring: the one place that builds the parts from settings and hands them over."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.orm import Session, sessionmaker

from callcenter.ari.client import AriClient
from callcenter.controller.service import Controller
from callcenter.ivr.script import Script, load_script
from callcenter.ledger.db import make_engine, migrate, session_factory
from callcenter.ledger.repository import Ledger
from callcenter.prompts.cache import PromptCache
from callcenter.prompts.tts import get_engine
from callcenter.settings import Settings


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
async def controller(settings: Settings, ledger: Ledger) -> AsyncIterator[Controller]:
    async with AriClient(settings.ari) as ari, Controller(
        ari, ledger, script(settings), prompt_cache(settings), settings
    ) as ctl:
        yield ctl
