"""Slots under a concurrency limit: a call holds one from before it dials until its line
is gone (its ledger writes and hooks run after, without it: they use no line).

The controller takes its slot through this protocol, so the limit can be this
process's own (:class:`LocalSlots`) or shared by every process that dials the same
trunk (:class:`callcenter.campaign.pacing.RedisSlots`). Holding is re-entrant per
token: a dial job that took its slot early, to check the calling window after waiting,
does not take a second one when the controller asks again for the same call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class SlotTimeout(TimeoutError):
    """No slot came free in time."""


class Slots(Protocol):
    def hold(self, token: str, timeout: float | None = None) -> AbstractAsyncContextManager[None]:
        """Hold a slot for ``token``; raise ``SlotTimeout`` after ``timeout`` seconds."""
        ...

    async def release(self, token: str) -> None:
        """Give ``token``'s slot back now, before its ``hold`` ends (which then gives
        nothing back); nothing if it holds none."""
        ...

    async def in_use(self) -> int: ...


class LocalSlots:
    """A limit on the calls of this process alone."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore = asyncio.Semaphore(limit)
        self._held: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, token: str, timeout: float | None = None) -> AsyncIterator[None]:
        if token in self._held:
            self._held[token] += 1
        else:
            try:
                async with asyncio.timeout(timeout):
                    await self._semaphore.acquire()
            except TimeoutError:
                raise SlotTimeout(f"no call slot free within {timeout:g} s") from None
            self._held[token] = 1
        try:
            yield
        finally:
            if token in self._held:
                self._held[token] -= 1
                if not self._held[token]:
                    del self._held[token]
                    self._semaphore.release()

    async def release(self, token: str) -> None:
        if self._held.pop(token, None) is not None:
            self._semaphore.release()

    async def in_use(self) -> int:
        return len(self._held)
