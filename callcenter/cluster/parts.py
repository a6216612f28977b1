"""The Asterisk servers of the set, resolved from settings, and the parts that share
the calls out between them: the slots each call holds, the route of each dial job.

Every worker process drives one server (``cluster.server``) and consumes that server's
Celery queue (``calls.<name>``). A call holds a slot of its server (the server's own
limit) and one of its carrier trunk (the limit shared by every server on that trunk),
both in Redis. The dispatcher, in whichever worker it runs, sends each due job to
the queue of the up server with the most room for its limit (``campaign.routing``);
what it sent counts against that server until a worker has claimed it, so two
dispatches in a row do not both fill the same free slots.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from kombu import Exchange, Queue
from redis.asyncio import Redis
from redis.exceptions import RedisError

from callcenter.calls.controller import Controller
from callcenter.calls.servers import ServerBeacons, ServerWatch
from callcenter.campaign.pacing import RedisSlots, slots_key
from callcenter.campaign.routing import QUEUE_PREFIX, ServerLoad, overflow, queue_name, route
from callcenter.campaign.tasks import DIAL
from callcenter.kernel.errors import ConfigError
from callcenter.settings import Settings
from callcenter.telephony.config import AriSettings

log = logging.getLogger(__name__)

DEFAULT_SERVER = "main"

# sends the dial task of one attempt to a server's queue: (job id, attempt key, server)
SendTo = Callable[[int, str, str], None]


def sender(app: Celery) -> SendTo:
    """Sends dial tasks to the queue of the server chosen."""

    def send(job_id: int, key: str, server: str) -> None:
        app.send_task(DIAL, args=[job_id, key], queue=queue_name(server))

    return send


def serve_as_worker(app: Celery, settings: Settings, start: Callable[[], object]) -> None:
    """Make ``app``'s worker consume the shared queue and its server's, and start its
    campaign runtime (``start``) as soon as it is ready: the server gets dial tasks
    only once that runtime beats for it."""
    app.conf.task_queues = worker_queues(settings)
    worker_ready.connect(start_when_ready(start), weak=False)


def start_when_ready(start: Callable[[], object]) -> Callable[..., None]:
    """A ``worker_ready`` handler that starts a worker's campaign runtime in the
    background if the worker consumes a server's queue (a transcription worker does not).

    Started lazily, by the first task, a server's worker would wait for a dispatch to
    come its way before it beats, and no dial is routed to a server that does not."""

    def ready(sender: Any = None, **_: Any) -> None:
        consumer = getattr(sender, "task_consumer", None)
        names = {q.name for q in getattr(consumer, "queues", [])}
        if any(n.startswith(QUEUE_PREFIX) for n in names):
            threading.Thread(target=_logged(start), name="campaign-start", daemon=True).start()

    return ready


def _logged(start: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            start()
        except Exception:  # the first task tries again
            log.exception("the campaign runtime did not start with the worker")

    return run


def worker_queues(settings: Settings) -> list[Queue]:
    """What a worker consumes: the shared tasks (dispatch, plans, prompts) and the
    dial tasks of its own server."""
    name = queue_name(this_server(settings).name)
    # bound by its own name, as a dispatcher in any worker sends to it: left to
    # Celery's defaults it would be bound to the shared queue's key and get every
    # shared task, and every server's dial tasks sent from this process
    return [Queue("celery"), Queue(name, Exchange(name, type="direct"), routing_key=name)]


@dataclass(frozen=True)
class Server:
    name: str
    ari: AriSettings
    trunk: str
    limit: int
    recordings: Path


def servers(settings: Settings) -> list[Server]:
    """The servers of the set; the single server of ``ari`` when none is configured."""
    c = settings.campaign
    configured = settings.cluster.servers
    if not configured:
        return [
            Server(
                DEFAULT_SERVER,
                settings.ari,
                c.trunk,
                c.max_concurrent_per_trunk,
                settings.asterisk_recordings,
            )
        ]
    names = [s.name for s in configured]
    if len(set(names)) != len(names):
        raise ConfigError(f"cluster.servers: server names must differ, got {names}")
    return [
        Server(
            s.name, s.ari, s.trunk, s.max_concurrent, s.recordings or settings.asterisk_recordings
        )
        for s in configured
    ]


def trunk_limits(settings: Settings) -> dict[str, int]:
    """Calls at once per carrier trunk, every server together."""
    c = settings.campaign
    limits: dict[str, int] = {}
    for s in servers(settings):
        limits[s.trunk] = limits.get(s.trunk, 0) + s.limit
    if c.trunk in limits:
        limits[c.trunk] = min(limits[c.trunk], c.max_concurrent_per_trunk)
    limits.update(settings.cluster.trunk_limits)
    return limits


def this_server(settings: Settings) -> Server:
    """The server this process drives."""
    known = servers(settings)
    wanted = settings.cluster.server
    if wanted is None:
        return known[0]
    for s in known:
        if s.name == wanted:
            return s
    raise ConfigError(
        f"cluster.server {wanted!r} is not one of cluster.servers "
        f"({', '.join(s.name for s in known)})"
    )


def server_settings(settings: Settings, server: Server) -> Settings:
    """``settings`` as seen by a process driving ``server``: its ARI and its spool."""
    return settings.model_copy(update={"ari": server.ari, "asterisk_recordings": server.recordings})


def server_slots_key(prefix: str, server: str) -> str:
    return slots_key(prefix, f"server:{server}")


def routed_key(prefix: str, server: str) -> str:
    return f"{prefix}:routed:{server}"


class ServerSlots:
    """A call's two slots: its server's, then its trunk's (always in that order)."""

    def __init__(self, server: RedisSlots, trunk: RedisSlots) -> None:
        self.server = server
        self.trunk = trunk

    @asynccontextmanager
    async def hold(self, token: str, timeout: float | None = None) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with self.server.hold(token, timeout):
            left = None if timeout is None else max(0.0, timeout - (loop.time() - start))
            async with self.trunk.hold(token, left):
                yield

    async def release(self, token: str) -> None:
        await self.trunk.release(token)
        await self.server.release(token)

    async def in_use(self) -> int:
        """Calls up on the trunk, every server's (the dispatcher's global count)."""
        return await self.trunk.in_use()

    async def close(self) -> None:
        await self.server.close()
        await self.trunk.close()


# KEYS[1] server slots, KEYS[2] jobs routed to the server. Calls up or on their way.
_BUSY = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if not redis.call('ZSCORE', KEYS[1], m) then n = n + 1 end
end
return n
"""


class ServerRoute:
    """Where the dispatcher sends due jobs (``campaign.routing.Route``), as seen from a
    worker of server ``home``."""

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        home: str,
        known: list[Server],
        limits: dict[str, int],
        beacons: ServerBeacons,
        send_to: SendTo,
        routed_seconds: float,
        rng: random.Random | None = None,
    ) -> None:
        self.redis = redis
        self.rng = rng or random.Random()
        self.prefix = prefix
        self.servers = known
        self.limits = limits
        self.beacons = beacons
        self.send_to = send_to
        self.routed_ms = int(routed_seconds * 1000)
        self._busy = redis.register_script(_BUSY)
        self.home = home
        self.retry_seconds = beacons.ttl_ms / 1000
        # this worker's controller, once started: whether its ARI answers
        self.controller: Controller | None = None

    async def loads(self) -> list[ServerLoad]:
        up = await self.beacons.up(s.name for s in self.servers)
        out = []
        for s in self.servers:
            keys = [server_slots_key(self.prefix, s.name), routed_key(self.prefix, s.name)]
            busy = int(await self._busy(keys=keys))
            out.append(ServerLoad(s.name, s.trunk, s.limit, busy, up[s.name]))
        return out

    async def plan(self, count: int | None = None) -> list[str]:
        """Servers for the jobs the set can take now (at most ``count``)."""
        loads = await self.loads()
        room = sum(s.free for s in loads)
        return route(loads, self.limits, room if count is None else min(count, room), self.rng)

    async def send(self, job_id: int, key: str, server: str | None = None) -> None:
        """Send attempt ``key`` to ``server``'s queue; None: the up server with the
        most room for its limit, else the up one least loaded for it (the job waits
        there for a slot), else the first (its jobs wait there)."""
        if server is None:
            server = await self._anywhere()
        score = int(time.time() * 1000) + self.routed_ms
        with suppress(RedisError):  # only the balance suffers; the slots hold the limits
            await self.redis.zadd(routed_key(self.prefix, server), {key: score})
        # a broker publish blocks: keep it off the loop the calls run on
        await asyncio.to_thread(self.send_to, job_id, key, server)

    async def done(self, key: str) -> None:
        """This worker has claimed attempt ``key``: no longer on its way."""
        with suppress(RedisError):  # it runs out by itself
            await self.redis.zrem(routed_key(self.prefix, self.home), key)

    def unavailable(self) -> str | None:
        if self.controller is not None and not self.controller.ari.connected:
            return f"the ARI of server {self.home} does not answer"
        return None

    async def _anywhere(self) -> str:
        loads = await self.loads()
        chosen = route(loads, self.limits, 1, self.rng)
        if chosen:
            return chosen[0]
        return overflow(loads, self.rng) or self.servers[0].name


@dataclass
class ServerParts:
    server: Server
    slots: ServerSlots
    route: ServerRoute
    watch: ServerWatch | None = None


async def open_server_parts(
    stack: AsyncExitStack, settings: Settings, redis: Redis, send_to: SendTo
) -> ServerParts:
    """The slots and route of this process's server; closed with ``stack``."""
    c = settings.campaign
    server = this_server(settings)
    limits = trunk_limits(settings)
    server_slots = RedisSlots(
        redis, server_slots_key(c.key_prefix, server.name), server.limit, c.lease_seconds
    )
    trunk_slots = RedisSlots(
        redis, slots_key(c.key_prefix, server.trunk), limits[server.trunk], c.lease_seconds
    )
    slots = ServerSlots(server_slots, trunk_slots)
    stack.push_async_callback(slots.close)
    beacons = ServerBeacons(redis, c.key_prefix, settings.cluster.down_after_seconds)
    known = servers(settings)
    routed = ServerRoute(
        redis, c.key_prefix, server.name, known, limits, beacons, send_to, c.requeue_after_seconds
    )
    return ServerParts(server, slots, routed)


def trunk_slots(stack: AsyncExitStack, settings: Settings, redis: Redis) -> RedisSlots:
    """The slots of ``campaign.trunk`` alone, for a process that routes nothing."""
    c = settings.campaign
    slots = RedisSlots(
        redis, slots_key(c.key_prefix, c.trunk), c.max_concurrent_per_trunk, c.lease_seconds
    )
    stack.push_async_callback(slots.close)
    return slots


async def watch_server(stack: AsyncExitStack, parts: ServerParts, ctl: Controller) -> None:
    """Beat for the server while its ARI answers, interrupt its calls when lost; the
    first beat is written before this returns, so the server is routed to at once."""
    beacons = parts.route.beacons
    watch = ServerWatch(ctl, parts.server.name, beacons, beacons.ttl_ms / 1000)
    parts.watch = watch
    parts.route.controller = ctl
    if ctl.ari.connected:
        await beacons.beat(parts.server.name, ctl.owner)
    task = asyncio.create_task(watch.run(), name=f"watch-{parts.server.name}")

    async def stop() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        with suppress(RedisError):
            await beacons.drop(parts.server.name, ctl.owner)

    stack.push_async_callback(stop)
