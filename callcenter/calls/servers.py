"""Which Asterisk servers of the set answer, as their workers see it, kept in Redis.

Every process driving a server beats a key of that server while its ARI events
WebSocket is connected; the key lives ``down_after`` seconds. A server is up while
one of its keys lives: when its Asterisk dies, its ARI stops answering, or every
worker of it is gone, the keys run out and the dispatcher stops sending it calls.
The first beat after ARI answers again puts it back.

A process whose ARI stays unreachable that long also closes its calls in progress as
interrupted (:class:`ServerWatch`): their jobs go back to the retry policy at once
instead of waiting for the calls' own timeouts, and are dialled on a server that is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from callcenter.calls.controller import Controller
from callcenter.kernel.errors import LedgerError

log = logging.getLogger(__name__)

# the ledger's note on a call closed because its Asterisk was lost
INTERRUPTED_NOTE = "服务器失联，通话中断"


def _key(prefix: str, server: str, owner: str) -> str:
    return f"{prefix}:server:{server}:worker:{owner}"


@dataclass(frozen=True)
class Beat:
    server: str
    owner: str  # the worker process (its ARI app name)
    ttl_ms: int  # how long it still counts


class ServerBeacons:
    def __init__(self, redis: Redis, prefix: str, down_after: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_ms = max(1, int(down_after * 1000))

    async def beat(self, server: str, owner: str) -> None:
        await self.redis.set(_key(self.prefix, server, owner), "1", px=self.ttl_ms)

    async def drop(self, server: str, owner: str) -> None:
        await self.redis.delete(_key(self.prefix, server, owner))

    async def beats(self) -> list[Beat]:
        """Every live beat, of every server."""
        out: list[Beat] = []
        async for raw in self.redis.scan_iter(match=f"{self.prefix}:server:*:worker:*"):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            ttl = await self.redis.pttl(key)
            if ttl == -2:
                continue  # ran out between the scan and now
            server, owner = key[len(self.prefix) + len(":server:") :].split(":worker:", 1)
            out.append(Beat(server, owner, int(ttl)))
        return sorted(out, key=lambda b: (b.server, b.owner))

    async def up(self, servers: Iterable[str]) -> dict[str, bool]:
        """For each server named, whether one of its workers beat lately."""
        live = {b.server for b in await self.beats()}
        return {name: name in live for name in servers}


class ServerWatch:
    """Beats for a controller's server while its ARI answers; interrupts its calls once
    ARI has been unreachable for ``down_after`` seconds."""

    def __init__(
        self,
        controller: Controller,
        server: str,
        beacons: ServerBeacons,
        down_after: float,
        poll: float = 0.5,
    ) -> None:
        self.controller = controller
        self.server = server
        self.beacons = beacons
        self.down_after = down_after
        self.poll = min(poll, down_after / 3)
        self.losses = 0  # times ARI stayed unreachable past ``down_after``

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        owner = self.controller.owner
        lost_since: float | None = None
        interrupted = False
        while True:
            if self.controller.ari.connected:
                if lost_since is not None:
                    log.warning("server %s: ARI answers again", self.server)
                lost_since, interrupted = None, False
                try:
                    await self.beacons.beat(self.server, owner)
                except RedisError as exc:
                    log.warning("server %s: could not beat: %s", self.server, exc)
            elif lost_since is None:
                lost_since = loop.time()
                log.warning("server %s: ARI events connection lost", self.server)
            elif not interrupted and loop.time() - lost_since >= self.down_after:
                interrupted = True  # once per loss
                await self._lost(owner)
            await asyncio.sleep(self.poll)

    async def _lost(self, owner: str) -> None:
        self.losses += 1
        log.error(
            "server %s: ARI unreachable for %g s; out of routing, its calls interrupted",
            self.server,
            self.down_after,
        )
        with contextlib.suppress(RedisError):
            await self.beacons.drop(self.server, owner)
        try:
            await self.controller.interrupt(INTERRUPTED_NOTE)
        except LedgerError as exc:
            # the lease runs out meanwhile and another worker's recovery closes them
            log.error("server %s: calls not closed: %s", self.server, exc)
