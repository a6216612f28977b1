"""A concurrency limit per trunk shared by every process, kept in Redis.

The slots of a trunk are one sorted set: a member per call holding a slot, scored by
when its lease runs out (milliseconds, on Redis's own clock so processes on hosts
whose clocks disagree still agree). Taking a slot is one Lua script: drop expired
members, then add ours if fewer than ``limit`` remain, so two processes can never both
take the last one. A holder renews its leases at a third of their length; a process
that dies stops renewing, and its slots free themselves when the lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from callcenter.calls.slots import SlotTimeout
from callcenter.kernel.errors import CampaignError

log = logging.getLogger(__name__)

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
# KEYS[1] slots; ARGV token, limit, lease ms. 1 if the token holds a slot afterwards.
_ACQUIRE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
return 1
"""
)
# KEYS[1] slots; ARGV lease ms, tokens... Returns the tokens that were no longer held.
_RENEW = (
    _NOW
    + """
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[1]))
return lost
"""
)
_COUNT = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
"""
)


def slots_key(prefix: str, trunk: str) -> str:
    return f"{prefix}:slots:{trunk}"


class RedisSlots:
    """Slots of one trunk, shared through Redis; see the module docstring."""

    def __init__(
        self,
        redis: Redis,
        key: str,
        limit: int,
        lease_seconds: float = 30,
        # how often a dial task waiting for a slot tries again: a slot another process
        # frees stays idle half of this on average (one this process frees is handed
        # to its longest waiter at once)
        poll_seconds: float = 0.1,
    ) -> None:
        if limit < 1:
            raise CampaignError(f"concurrency limit {limit} for {key} must be at least 1")
        self.redis = redis
        self.key = key
        self.limit = limit
        self.lease_ms = int(lease_seconds * 1000)
        self.poll_seconds = poll_seconds
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)
        self._count = redis.register_script(_COUNT)
        self._held: dict[str, int] = {}
        self._renewer: asyncio.Task[None] | None = None
        # this process's dial tasks waiting for a slot, longest first
        self._waiters: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, token: str, timeout: float | None = None) -> AsyncIterator[None]:
        """Hold a slot for ``token`` (re-entrant); SlotTimeout after ``timeout`` seconds."""
        if token in self._held:
            self._held[token] += 1
        else:
            await self._take(token, timeout)
            self._held[token] = 1
            self._ensure_renewer()
        try:
            yield
        finally:
            if token in self._held:
                self._held[token] -= 1
                if not self._held[token]:
                    del self._held[token]
                    # shielded: a cancelled call must still give its slot back
                    await asyncio.shield(self._give_back(token))

    async def release(self, token: str) -> None:
        if self._held.pop(token, None) is not None:
            await asyncio.shield(self._give_back(token))

    async def in_use(self) -> int:
        """Slots held now, by every process."""
        return int(await self._count(keys=[self.key]))

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None

    async def _take(self, token: str, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            if await self._acquire(keys=[self.key], args=[token, self.limit, self.lease_ms]):
                return
            if deadline is not None and loop.time() >= deadline:
                raise SlotTimeout(
                    f"all {self.limit} call slots of {self.key} stayed taken for {timeout:g} s"
                )
            # woken when this process frees a slot, else after a jittered poll interval,
            # so waiters in many processes do not poll in step
            woken = loop.create_future()
            self._waiters.append(woken)
            delay = self.poll_seconds * random.uniform(0.5, 1.5)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - loop.time()))
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await woken
            finally:
                # the timeout (or a cancel) cancels the future: still queued, unlike a woken one
                if woken.cancelled():
                    self._waiters.remove(woken)

    async def _give_back(self, token: str) -> None:
        try:
            await self.redis.zrem(self.key, token)
        except RedisError as exc:
            # the lease runs out by itself; until then the slot stays taken
            log.warning("could not free call slot %s in %s: %s", token, self.key, exc)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break

    def _ensure_renewer(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._keep_leases(), name=f"renew-{self.key}")

    async def _keep_leases(self) -> None:
        while self._held:
            await asyncio.sleep(self.lease_ms / 3000)
            tokens = list(self._held)
            if not tokens:
                break
            try:
                lost = await self._renew(keys=[self.key], args=[self.lease_ms, *tokens])
            except RedisError as exc:
                log.warning("could not renew %d call slots in %s: %s", len(tokens), self.key, exc)
                continue
            for raw in lost:
                token = raw.decode() if isinstance(raw, bytes) else str(raw)
                if token not in self._held:
                    continue  # given back meanwhile
                # the lease ran out (Redis unreachable for a while, or the loop stalled):
                # take it again only if the limit allows, never beyond it
                ok = await self._acquire(keys=[self.key], args=[token, self.limit, self.lease_ms])
                log.error(
                    "call slot of %s in %s had expired; %s",
                    token,
                    self.key,
                    "taken again" if ok else "the limit is full, the call runs without one",
                )


class DispatchGate:
    """One dispatcher at a time; a dispatch asked for meanwhile runs right after.

    Whoever holds the lock loops while the ``again`` flag was raised during its run,
    so a request is never dropped yet no two dispatchers overlap.
    """

    def __init__(self, redis: Redis, prefix: str, ttl_seconds: float = 60) -> None:
        self.redis = redis
        self.lock_key = f"{prefix}:dispatch:lock"
        self.again_key = f"{prefix}:dispatch:again"
        self.ttl_seconds = ttl_seconds

    async def run(self, dispatch) -> int:  # type: ignore[no-untyped-def]
        """Run ``dispatch`` (an async callable) now or leave it to the running one;
        returns how many times it ran here."""
        await self.redis.set(self.again_key, 1, ex=int(self.ttl_seconds))
        runs = 0
        lock = self.redis.lock(self.lock_key, timeout=self.ttl_seconds, blocking=False)
        while await self.redis.get(self.again_key):
            if not await lock.acquire():
                return runs
            try:
                await self.redis.delete(self.again_key)
                await dispatch()
                runs += 1
            finally:
                with contextlib.suppress(RedisError):
                    await lock.release()
        return runs
