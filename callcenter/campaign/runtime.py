"""What one worker process needs to place calls: an event loop in a thread of its own
holding the ledger, the ARI controller, the shared slots and the dialer.

Celery runs tasks in threads (``--pool threads``); each hands its coroutine to this
loop and waits for the result, so one process keeps one events WebSocket whatever its
concurrency. The ARI application is named after the process (Asterisk allows one
WebSocket per application, and Originate sends a call's events to the application that
placed it), and that name is the process's lease owner in the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

from redis.asyncio import Redis

from callcenter import bootstrap
from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.dialer import Dialer, Enqueue, channel_gone_with, prerender_with
from callcenter.campaign.pacing import DispatchGate, RedisSlots, slots_key
from callcenter.campaign.policy import RetryPolicy
from callcenter.campaign.store import CampaignStore
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.database import make_engine, session_factory
from callcenter.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

_OPEN_TIMEOUT = 60


def process_app_name(base: str) -> str:
    """A name for this process's ARI application, unique among live processes."""
    return f"{base}-{socket.gethostname()}-{os.getpid()}"[:100]


def redis_url(settings: Settings) -> str:
    return settings.campaign.redis_url or settings.campaign.broker_url


@dataclass
class Parts:
    dialer: Dialer
    gate: DispatchGate
    slots: RedisSlots


class CampaignRuntime:
    def __init__(self, settings: Settings, enqueue: Enqueue, clock: Clock | None = None) -> None:
        app = process_app_name(settings.ari.app)
        self.settings = settings.model_copy(
            update={"ari": settings.ari.model_copy(update={"app": app})}
        )
        self.enqueue = enqueue
        self.clock = clock or SystemClock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="campaign-loop", daemon=True)
        self._parts: Parts | None = None
        self._stack = contextlib.AsyncExitStack()

    @property
    def owner(self) -> str:
        return self.settings.ari.app

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self._loop).result(_OPEN_TIMEOUT)
        log.info("campaign runtime %s ready", self.owner)

    def run(self, work: Callable[[Parts], Awaitable[T]], timeout: float | None = None) -> T:
        """Run ``work(parts)`` on the loop and wait for its result (from any thread)."""
        if self._parts is None:
            raise RuntimeError("the campaign runtime is not started")
        parts = self._parts

        async def call() -> T:
            return await work(parts)

        future: Future[T] = asyncio.run_coroutine_threadsafe(call(), self._loop)
        return future.result(timeout)

    def stop(self, timeout: float = 30) -> None:
        """Close the controller (dropping its lease), Redis and the database, in order."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._stack.aclose(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        log.info("campaign runtime %s stopped", self.owner)

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.close()

    async def _open(self) -> None:
        s = self.settings
        engine = make_engine(s.database_url)
        self._stack.callback(engine.dispose)
        sessions = session_factory(engine)
        ledger = Ledger(sessions)
        redis = Redis.from_url(redis_url(s))
        self._stack.push_async_callback(redis.aclose)
        slots = RedisSlots(
            redis,
            slots_key(s.campaign.key_prefix, s.campaign.trunk),
            s.campaign.max_concurrent_per_trunk,
            s.campaign.lease_seconds,
        )
        self._stack.push_async_callback(slots.close)
        ctl = await self._stack.enter_async_context(bootstrap.controller(s, ledger, slots))
        dialer = Dialer(
            CampaignStore(sessions),
            ledger,
            ctl,
            slots,
            CallingCalendar.from_settings(s.campaign),
            RetryPolicy.from_settings(s.campaign),
            self.clock,
            self.enqueue,
            s.campaign,
            prerender_with(ctl),
            channel_gone_with(ctl),
        )
        self._parts = Parts(dialer, DispatchGate(redis, s.campaign.key_prefix), slots)
