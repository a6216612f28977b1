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

from callcenter.calls.slots import Slots
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.dialer import Dialer
from callcenter.campaign.pacing import DispatchGate
from callcenter.kernel.loop import new_event_loop

log = logging.getLogger(__name__)
T = TypeVar("T")

_OPEN_TIMEOUT = 60


def process_app_name(base: str) -> str:
    """A name for this process's ARI application, unique among live processes."""
    return f"{base}-{socket.gethostname()}-{os.getpid()}"[:100]


def redis_url(settings: CampaignSettings) -> str:
    return settings.redis_url or settings.broker_url


@dataclass
class Parts:
    dialer: Dialer
    gate: DispatchGate
    slots: Slots


# opens the parts on the runtime's loop; what it enters on the stack is closed on stop
OpenParts = Callable[[contextlib.AsyncExitStack], Awaitable[Parts]]


class CampaignRuntime:
    def __init__(self, owner: str, open_parts: OpenParts) -> None:
        self.owner = owner
        self._open_parts = open_parts
        self._loop = new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="campaign-loop", daemon=True)
        self._parts: Parts | None = None
        self._stack = contextlib.AsyncExitStack()

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
        self._parts = await self._open_parts(self._stack)
