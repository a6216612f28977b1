"""The container handed to commands: the settings (read on first use) and a clock, with
the composition root's factories bound to them. Feature commands reach their parts as
``ctx.obj.<factory>()`` and never import the composition root themselves."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from callcenter import bootstrap
from callcenter.calls.controller import Controller
from callcenter.calls.store import Ledger
from callcenter.campaign.service import CampaignService
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.settings import Settings
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.tickets.service import TicketService


class Container:
    """The settings (read on first use, so ``--help`` works with a bad config file) and a
    clock, with the composition root's factories bound to them."""

    def __init__(self, settings: Settings | Callable[[], Settings], clock: Clock | None = None):
        self._settings = settings if isinstance(settings, Settings) else None
        self._load = settings if not isinstance(settings, Settings) else None
        self.clock: Clock = clock or SystemClock()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            assert self._load is not None
            self._settings = self._load()
        return self._settings

    def open_sessions(self) -> contextlib.AbstractContextManager[sessionmaker[Session]]:
        return bootstrap.open_sessions(self.settings)

    def open_ledger(self) -> contextlib.AbstractContextManager[Ledger]:
        return bootstrap.open_ledger(self.settings, self.clock)

    def prompt_cache(self) -> PromptCache:
        return bootstrap.prompt_cache(self.settings)

    def controller(self, ledger: Ledger) -> contextlib.AbstractAsyncContextManager[Controller]:
        return bootstrap.controller(self.settings, ledger, clock=self.clock)

    def campaign_service(self, ledger: Ledger, profile: str | None = None) -> CampaignService:
        return bootstrap.campaign_service(self.settings, ledger, self.clock, profile)

    def ticket_service(self, ledger: Ledger) -> TicketService:
        return bootstrap.ticket_service(self.settings, ledger, self.clock)

    def celery(self, *, worker: bool = False) -> Celery:
        return bootstrap.make_celery(self.settings, worker=worker, clock=self.clock)

    def run_transcription_worker(self, concurrency: int = 1, loglevel: str = "INFO") -> None:
        """Serve the transcription queue until told to stop (SIGTERM: warm shutdown)."""
        settings = self.settings
        bootstrap.open_engine(settings).dispose()  # migrated before a task touches the tables
        celery = bootstrap.make_celery(settings, worker=True, clock=self.clock)
        # Processes, not the campaign's threads: the engine is CPU-bound and holds the GIL
        # in places, and only a process can be stopped at the time limit. (Set in the
        # configuration: Celery takes --pool=prefork, its default, as "not given".)
        celery.conf.worker_pool = "prefork"
        celery.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                f"--queues={settings.transcription.queue}",
                f"--hostname=transcription-{os.getpid()}@{socket.gethostname()}",
                f"--loglevel={loglevel}",
            ]
        )
