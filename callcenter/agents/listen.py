"""A supervisor listens in on a live takeover; neither the applicant nor the agent hears it.

The supervisor's phone is called; when it answers, a snoop channel on the applicant's
channel (``spy=both``: what the applicant says and what they hear, i.e. the agent;
``whisper=none``: nothing goes back) and the supervisor's channel are put in a bridge
of their own. The takeover's bridge is not touched, so its two parties cannot hear the
supervisor. It ends when the supervisor hangs up or the applicant's channel goes.

This runs in the web process, under an ARI application of its own
(``agents.listen_app``), so it does not depend on which process placed the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from callcenter.agents.config import AgentSettings
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.kernel.errors import AgentError, AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter, wait_answered

log = logging.getLogger(__name__)

Event = dict[str, Any]
GONE = frozenset({"ChannelHangupRequest", "StasisEnd", "ChannelDestroyed"})


@dataclass
class ListenSession:
    id: str
    takeover_id: int
    supervisor: str
    phone_channel: str
    snoop_channel: str
    bridge_id: str
    state: str = "ringing"  # ringing | listening | ended
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class ListenIn:
    def __init__(
        self,
        ari: AriClient,
        roster: AgentRoster,
        takeovers: TakeoverLog,
        settings: AgentSettings,
    ) -> None:
        self.ari = ari
        self.roster = roster
        self.takeovers = takeovers
        self.settings = settings
        self.router = EventRouter()
        self.sessions: dict[str, ListenSession] = {}
        self._events: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def ensure_connected(self, timeout: float = 5) -> None:
        """Open the events WebSocket of the listen-in application on first use."""
        if self._events is None:
            self._events = asyncio.create_task(
                self.ari.run_events(self.router.dispatch), name="listen-in-events"
            )
        await self.ari.wait_connected(timeout)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._events is not None:
            self._events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._events

    async def start(self, takeover_id: int, supervisor: str) -> ListenSession:
        """Ring the supervisor's phone; listening starts when they answer."""
        view = await asyncio.to_thread(self.takeovers.view, takeover_id)
        if view.state != "connected" or view.channel_id is None:
            raise AgentError(f"takeover {takeover_id} is not in progress ({view.state})")
        agent = await asyncio.to_thread(self.roster.find, supervisor)
        if agent is None or not agent.enabled:
            raise AgentError(
                f"{supervisor!r} has no enabled phone: add one with "
                f"`callcenter agent add {supervisor} --kind supervisor`"
            )
        await self.ensure_connected()
        if not (await Presence(self.ari).phone(supervisor)).free:
            raise AgentError(f"the phone of {supervisor!r} is not registered or is busy")
        sid = f"listen-{takeover_id}-{uuid.uuid4().hex[:8]}"
        session = ListenSession(sid, takeover_id, supervisor, f"{sid}-phone", f"{sid}-snoop", sid)
        queue = self.router.register(session.phone_channel)
        self.router.alias(session.snoop_channel, session.phone_channel)
        try:
            await self.ari.originate(
                f"PJSIP/{supervisor}",
                channel_id=session.phone_channel,
                app_args=f"listen,{takeover_id}",
                timeout=self.settings.ring_timeout,
                caller_id=f'"监听" <{takeover_id}>',
            )
        except AriError as exc:
            self.router.unregister(session.phone_channel)
            raise AgentError(f"calling the phone of {supervisor!r} failed: {exc}") from exc
        self.sessions[sid] = session
        task = asyncio.create_task(self._run(session, view.channel_id, queue), name=sid)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("listen-in %s: ringing %s for takeover %s", sid, supervisor, takeover_id)
        return session

    async def _run(self, s: ListenSession, applicant: str, queue: asyncio.Queue[Event]) -> None:
        try:
            if not await self._answered(s, queue):
                return
            await self.ari.snoop(
                applicant, s.snoop_channel, spy="both", whisper="none", app=self.ari.app
            )
            await self.ari.request("POST", "/bridges", {"type": "mixing", "bridgeId": s.bridge_id})
            await self._add_when_ready(s)
            s.state = "listening"
            log.info("listen-in %s: %s is listening", s.id, s.supervisor)
            while True:
                event = await queue.get()
                channel = event.get("channel", {}).get("id")
                if event.get("type") in GONE and channel in (s.phone_channel, s.snoop_channel):
                    return
        except (AriError, AgentError, TimeoutError) as exc:
            log.warning("listen-in %s failed: %s", s.id, exc or "no answer")
        finally:
            await self._clean_up(s)

    async def _answered(self, s: ListenSession, queue: asyncio.Queue[Event]) -> bool:
        return await wait_answered(queue, s.phone_channel, self.settings.ring_timeout + 10)

    async def _add_when_ready(self, s: ListenSession) -> None:
        # the snoop channel enters the application asynchronously
        for _ in range(40):
            try:
                await self.ari.request(
                    "POST",
                    f"/bridges/{s.bridge_id}/addChannel",
                    {"channel": f"{s.phone_channel},{s.snoop_channel}"},
                )
                return
            except AriError as exc:
                if exc.status not in (404, 409, 422):
                    raise
                await asyncio.sleep(0.05)
        raise AgentError(f"listen-in {s.id}: the snoop channel never became available")

    async def _clean_up(self, s: ListenSession) -> None:
        s.state = "ended"
        for channel in (s.phone_channel, s.snoop_channel):
            with contextlib.suppress(AriNotFound, AriError):
                await self.ari.hangup(channel)
        with contextlib.suppress(AriNotFound, AriError):
            await self.ari.request("DELETE", f"/bridges/{s.bridge_id}")
        self.router.unregister(s.phone_channel)
        self.sessions.pop(s.id, None)
        s.ended.set()
        log.info("listen-in %s ended", s.id)
