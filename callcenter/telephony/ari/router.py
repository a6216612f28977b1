"""Route ARI events to the queue of the call they belong to.

Each call registers its channel id and gets an ``asyncio.Queue`` that receives that
channel's events in arrival order. Other ids that belong to the same call (a snoop
channel, a bridge) are aliased to the call's channel. Events nobody registered for, such
as the StasisStart of an inbound or unknown channel, go to the fallback.
"""

from __future__ import annotations

import asyncio
import logging

from callcenter.telephony.ari.types import Event, EventHandler

logger = logging.getLogger(__name__)


def _field(event: Event, key: str, field: str) -> str | None:
    value = event.get(key)
    if isinstance(value, dict) and value.get(field):
        return str(value[field])
    return None


def event_ids(event: Event) -> list[str]:
    """Ids an event is about, most specific first: its channel, the dialled peer, the
    channel or bridge a playback or recording targets, its bridge, the dialling caller."""
    ids = [_field(event, "channel", "id"), _field(event, "peer", "id")]
    for key in ("playback", "recording"):
        # "channel:<id>" or "bridge:<id>"; both kinds of id share one namespace here.
        _, _, target_id = (_field(event, key, "target_uri") or "").partition(":")
        ids.append(target_id or None)
    ids += [_field(event, "bridge", "id"), _field(event, "caller", "id")]
    return [i for i in ids if i]


class EventRouter:
    """Per-call event queues keyed by channel id; ``dispatch`` is the events handler."""

    def __init__(self, fallback: EventHandler | None = None) -> None:
        self._queues: dict[str, asyncio.Queue[Event]] = {}
        self._aliases: dict[str, str] = {}
        self._fallback = fallback

    def register(self, channel_id: str) -> asyncio.Queue[Event]:
        """The queue for a call; register before originating so no early event is missed."""
        if channel_id in self._queues:
            raise ValueError(f"channel {channel_id!r} is already registered")
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues[channel_id] = queue
        return queue

    def unregister(self, channel_id: str) -> None:
        """Forget a call, and every alias pointing at it; unknown ids are ignored."""
        self._queues.pop(channel_id, None)
        self._aliases.pop(channel_id, None)
        for other in [o for o, owner in self._aliases.items() if owner == channel_id]:
            del self._aliases[other]

    def alias(self, other_id: str, owner_channel_id: str) -> None:
        """Send events about ``other_id`` (a snoop channel, a bridge) to the owner's queue."""
        if owner_channel_id not in self._queues:
            raise KeyError(f"cannot alias {other_id!r}: {owner_channel_id!r} is not registered")
        self._aliases[other_id] = owner_channel_id

    def queue_for(self, channel_id: str) -> asyncio.Queue[Event] | None:
        owner = self._aliases.get(channel_id, channel_id)
        return self._queues.get(owner)

    async def dispatch(self, event: Event) -> None:
        """Put ``event`` on every distinct call queue it concerns, else hand it to the fallback.

        Queues are unbounded so that one slow call never holds up the events of the others.
        """
        delivered: set[int] = set()
        for event_id in event_ids(event):
            queue = self.queue_for(event_id)
            if queue is not None and id(queue) not in delivered:
                delivered.add(id(queue))
                queue.put_nowait(event)
        if delivered:
            return
        if self._fallback is not None:
            # Awaited, not scheduled: a fallback that registers a new call must finish
            # before that call's next event is dispatched.
            await self._fallback(event)
        else:
            logger.debug("ARI event %s for no registered call", event.get("type"))


async def wait_answered(queue: asyncio.Queue[Event], channel: str, timeout: float) -> bool:
    """True once ``channel`` enters the application (its phone answered), False if it is
    destroyed first (no answer, busy, rejected); TimeoutError after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            event = await queue.get()
            if event.get("channel", {}).get("id") != channel:
                continue
            if event.get("type") == "StasisStart":
                return True
            if event.get("type") == "ChannelDestroyed":
                return False
