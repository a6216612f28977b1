"""Live updates for the agents' and supervisors' screens.

A notification only says that something changed (a takeover, an agent's state); the
screens read what changed from the ledger. So a lost notification costs a delay until
the screen's next periodic refresh, never a wrong screen.

The processes that place calls and the web process are different processes: Redis
pub/sub carries the notifications between them. ``LocalNotifier`` is the in-process
fan-out both use, and all there is when no Redis is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Protocol, Self

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 1.0


@dataclass(frozen=True)
class Change:
    """Something the screens show changed: a takeover (and the agents it concerns), or
    an agent's own state."""

    kind: str  # "takeover" | "agent" | "callback"
    takeover_id: int | None = None
    agents: tuple[str, ...] = field(default_factory=tuple)

    def concerns(self, login: str) -> bool:
        return login in self.agents

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def decode(cls, text: str | bytes) -> Change:
        data = json.loads(text)
        return cls(str(data["kind"]), data.get("takeover_id"), tuple(data.get("agents") or ()))


class Notifier(Protocol):
    async def publish(self, change: Change) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[Change]]: ...


class LocalNotifier:
    """Fan-out to subscribers of this process; a slow subscriber loses old changes."""

    def __init__(self, queue_size: int = 100) -> None:
        self._subscribers: set[asyncio.Queue[Change]] = set()
        self._queue_size = queue_size

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def publish(self, change: Change) -> None:
        self.deliver(change)

    def deliver(self, change: Change) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(change)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Change]]:
        queue: asyncio.Queue[Change] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)


class RedisNotifier:
    """Publishes to a Redis channel; subscribers hear every process's changes.

    Use as ``async with``. Publishing never raises: a screen update must not break a
    call; failures are logged.
    """

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self.local = LocalNotifier()
        self._redis: Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._sending: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        # the URL may carry a password
        return f"RedisNotifier(channel={self.channel!r})"

    async def __aenter__(self) -> Self:
        self._redis = Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self.flush()
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, change: Change) -> None:
        """Send in the background: a call never waits for Redis."""
        if self._redis is None:
            raise RuntimeError("RedisNotifier is not open: use 'async with'")
        task = asyncio.create_task(self._send(self._redis, change), name="agent-notification")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, redis: Redis, change: Change) -> None:
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await redis.publish(self.channel, change.encode())
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("screen update %s not published: %s", change.kind, exc)

    async def flush(self) -> None:
        """Wait for the notifications under way (tests, shutdown)."""
        if self._sending:
            await asyncio.gather(*list(self._sending), return_exceptions=True)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Change]]:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="agent-notifications")
        async with self.local.subscribe() as queue:
            yield queue

    async def wait_listening(self, timeout: float) -> None:
        """Wait until the Redis subscription is up (tests, start-up checks)."""
        async with asyncio.timeout(timeout):
            await self._listening.wait()

    async def _listen(self) -> None:
        """Relay the channel to local subscribers; reconnect with backoff when Redis drops."""
        assert self._redis is not None
        delay = 0.2
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    delay = 0.2
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            self.local.deliver(Change.decode(message["data"]))
                        except (ValueError, KeyError) as exc:
                            log.warning("ignored a malformed screen update: %s", exc)
            except (RedisError, OSError) as exc:
                self._listening.clear()
                log.warning(
                    "agent notifications: Redis dropped (%s); retrying in %.1f s", exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def make_notifier(url: str | None, channel: str) -> RedisNotifier | LocalNotifier:
    return RedisNotifier(url, channel) if url else LocalNotifier()
