"""One takeover, from the rule firing to the end of the agent's conversation.

The applicant is moved into a mixing bridge at once and hears the transfer prompt,
then a ring tone, played on the bridge, while the first agent's phone already rings.
Agents are rung one at a time, longest idle first, each for the ring timeout; a phone
that does not start ringing within the reach timeout is gone and given up at once,
not held against its agent. The first who answers joins the bridge immediately: if
the prompt is still playing, the agent hears its end with the applicant rather than
silence. The whole-call recording (a snoop on the applicant's channel) goes on
through the bridge. If nobody answers, the applicant hears the whole prompt, leaves
the bridge and goes back to the script; if the applicant hangs up first, the agent's
ringing leg is hung up too. (When no agent could take the call at all, the desk
queues the call-back without any of this: ``nobody_available``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Protocol

from callcenter.agents._legs import Event, Leg, caller_id, is_ringing, next_event, offer_result
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.config import AgentSettings
from callcenter.agents.metrics import TakeoverMetrics
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.line import AriLine
from callcenter.interview.case import CaseInfo
from callcenter.interview.port import CallerHungUp
from callcenter.interview.takeover import HandoverRequest, HandoverResult
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import AgentError, AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter

log = logging.getLogger(__name__)

RINGBACK = "tone:ring;tonezone=cn"
LEG_GONE = frozenset({"ChannelHangupRequest", "StasisEnd", "ChannelDestroyed"})
# a leg that neither answers nor fails this long after its ring timeout is given up
RING_GRACE = 10.0
# how often a conversation checks that the agent's leg still exists, in case an event
# was lost while the events WebSocket reconnected
LEG_CHECK = 5.0


class Staff(Protocol):
    """What a takeover needs of the desk that runs it (``desk.TakeoverDesk``)."""

    ari: AriClient
    router: EventRouter
    roster: AgentRoster
    log: TakeoverLog
    callbacks: CallbackTasks
    settings: AgentSettings
    clock: Clock

    async def next_agent(
        self, takeover_id: int, tried: set[str], handler: str = ""
    ) -> str | None: ...

    async def changed(
        self, takeover_id: int | None, *agents: str, kind: str = "takeover"
    ) -> None: ...


class Handover:
    def __init__(
        self,
        desk: Staff,
        takeover_id: int,
        attempt_id: str,
        case: CaseInfo,
        line: AriLine,
        request: HandoverRequest,
        metrics: TakeoverMetrics,
    ) -> None:
        self.desk = desk
        self.settings = desk.settings
        self.ari = desk.ari
        self.takeover_id = takeover_id
        self.attempt_id = attempt_id
        self.case = case
        self.line = line
        self.request = request
        self.metrics = metrics
        self.bridge_id = f"{attempt_id}-takeover{takeover_id}"
        self._bridge_events: asyncio.Queue[Event] = asyncio.Queue()
        self._prompt: asyncio.Task[None] | None = None
        self._ringback: str | None = None
        self._connected = False
        self._giving_up = False
        self._rang = False  # some agent's phone rang (or answered) in this takeover

    async def run(self) -> HandoverResult:
        self._bridge_events = self.desk.router.register(self.bridge_id)
        try:
            await self._open_bridge()
            self._prompt = asyncio.create_task(
                self._transfer_prompt(), name=f"transfer-{self.attempt_id}"
            )
            tried: set[str] = set()
            for _ in range(self.settings.max_agents):
                login = await self.desk.next_agent(self.takeover_id, tried, self.case.handler)
                if login is None:
                    break
                tried.add(login)
                leg = await self._ring(login)
                if leg is not None:
                    return await self._converse(leg)
            return await self._nobody()
        except CallerHungUp:
            await self._abandoned()
            raise
        finally:
            if self._prompt is not None and not self._prompt.done():
                self._prompt.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._prompt
            await self._stop_ringback()
            with contextlib.suppress(AriError):
                await self.ari.request("DELETE", f"/bridges/{self.bridge_id}")
            self.desk.router.unregister(self.bridge_id)

    # -- what the applicant hears ---------------------------------------------------

    async def _open_bridge(self) -> None:
        try:
            await self.ari.request(
                "POST", "/bridges", {"type": "mixing,proxy_media", "bridgeId": self.bridge_id}
            )
            await self.ari.request(
                "POST", f"/bridges/{self.bridge_id}/addChannel", {"channel": self.attempt_id}
            )
        except AriError as exc:
            if self.line.hung_up.is_set():
                raise CallerHungUp() from exc
            raise AgentError(f"takeover {self.takeover_id}: no bridge: {exc}") from exc

    async def _transfer_prompt(self) -> None:
        """正在为您转接工作人员 on the bridge, then a ring tone until an agent answers."""
        prompt = self.request.transfer_prompt
        self.line.played.append(prompt)
        try:
            playback_id = uuid.uuid4().hex
            await self.ari.request(
                "POST",
                f"/bridges/{self.bridge_id}/play/{playback_id}",
                {"media": self.line.media_for(prompt)},
            )
            await self._until_played(playback_id)
            if self._connected or self._giving_up or self.line.hung_up.is_set():
                return
            ringback = uuid.uuid4().hex
            self._ringback = ringback
            await self.ari.request(
                "POST", f"/bridges/{self.bridge_id}/play/{ringback}", {"media": RINGBACK}
            )
            if self._connected:  # answered while the tone was being started
                await self._stop_ringback()
        except AriError as exc:  # the applicant hears less; the agents are rung all the same
            log.warning("takeover %s: transfer prompt failed: %s", self.takeover_id, exc)

    async def _until_played(self, playback_id: str) -> None:
        """Wait for the playback's end (or, if its event is lost, for it to be gone)."""
        while not self.line.hung_up.is_set():
            try:
                async with asyncio.timeout(LEG_CHECK):
                    event = await self._bridge_events.get()
            except TimeoutError:
                try:
                    await self.ari.request("GET", f"/playbacks/{playback_id}")
                except AriNotFound:
                    return
                continue
            if event.get("type") == "PlaybackFinished" and (
                event.get("playback", {}).get("id") == playback_id
            ):
                return

    async def _prompt_done(self) -> None:
        if self._prompt is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._prompt

    async def _stop_ringback(self) -> None:
        playback_id, self._ringback = self._ringback, None
        if playback_id is not None:
            with contextlib.suppress(AriError):
                await self.ari.stop_playback(playback_id)

    # -- one agent -------------------------------------------------------------------

    async def _ring(self, login: str) -> Leg | None:
        """Ring one agent; their answered leg, or None once it failed (agent released)."""
        self.metrics.offers += 1
        channel_id = f"{self.attempt_id}-agent{self.metrics.offers}"
        queue = self.desk.router.register(channel_id)
        offer_id = await asyncio.to_thread(self.desk.log.offer, self.takeover_id, login, channel_id)
        leg = Leg(login, channel_id, offer_id, queue)
        await self.desk.changed(self.takeover_id, login)
        try:
            channel = await self.ari.originate(
                f"PJSIP/{login}",
                channel_id=channel_id,
                app_args=f"takeover,{self.takeover_id}",
                timeout=self.settings.ring_timeout,
                caller_id=caller_id(self.case),
            )
        except AriError as exc:
            log.warning("takeover %s: ringing %s failed: %s", self.takeover_id, login, exc)
            await self._release(leg, "failed", None)
            return None
        self.metrics.sip_call_ids.append(str(channel.get("protocol_id") or ""))
        result, cause = await self._await_answer(leg)
        if result == "answered":
            return leg
        log.info(
            "takeover %s: %s did not take it (%s, cause %s)", self.takeover_id, login, result, cause
        )
        await self._release(leg, result, cause)
        return None

    async def _await_answer(self, leg: Leg) -> tuple[str, int | None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.ring_timeout + RING_GRACE
        reach_by = loop.time() + self.settings.reach_timeout
        reached = False  # the phone rang or answered: it is there
        while True:
            event = await next_event(
                leg, self.line.hung_up, (deadline if reached else reach_by) - loop.time()
            )
            if self.line.hung_up.is_set():
                await self._hang_up_leg(leg)
                await self._release(leg, "cancelled", None)
                raise CallerHungUp()
            if event is None:
                await self._hang_up_leg(leg)
                if not reached:
                    log.warning(
                        "takeover %s: %s's phone did not ring within %g s: it is gone",
                        self.takeover_id,
                        leg.login,
                        self.settings.reach_timeout,
                    )
                    return "failed", None
                log.warning(
                    "takeover %s: no outcome from %s; hanging up", self.takeover_id, leg.login
                )
                return "no_answer", None
            kind = event.get("type")
            if is_ringing(event) or kind == "StasisStart":
                reached = self._rang = True
            if is_ringing(event) and self.metrics.ringing is None:
                self.metrics.ringing = loop.time()
                await asyncio.to_thread(
                    self.desk.log.offer_ringing, leg.offer_id, self.desk.clock.now()
                )
                await self.desk.changed(self.takeover_id, leg.login)
            elif kind == "StasisStart":
                self.metrics.answered = loop.time()
                return "answered", None
            elif kind == "ChannelDestroyed":
                cause = event.get("cause")
                result = offer_result(cause)
                # a phone that never rang was not let ring out by its agent
                return ("failed" if result == "no_answer" and not reached else result), cause

    async def _hang_up_leg(self, leg: Leg) -> None:
        """Hang up the agent's leg and wait (briefly) until Asterisk has destroyed it."""
        try:
            await self.ari.hangup(leg.channel_id)
        except AriNotFound:
            return
        except AriError as exc:
            log.warning(
                "takeover %s: hanging up %s failed: %s", self.takeover_id, leg.channel_id, exc
            )
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while (await leg.queue.get()).get("type") != "ChannelDestroyed":
                    pass

    async def _release(
        self, leg: Leg, result: str, cause: int | None, talked: bool = False
    ) -> None:
        self.desk.router.unregister(leg.channel_id)
        pause = result == "no_answer" and self.settings.pause_on_no_answer
        await asyncio.to_thread(self.desk.log.offer_ended, leg.offer_id, result, cause)
        await asyncio.to_thread(
            self.desk.roster.release, leg.login, self.takeover_id, talked=talked, pause=pause
        )
        await self.desk.changed(self.takeover_id, leg.login)

    # -- the conversation ---------------------------------------------------------

    async def _converse(self, leg: Leg) -> HandoverResult:
        self._connected = True
        bridge_id = self.bridge_id
        await asyncio.to_thread(self.desk.log.offer_ended, leg.offer_id, "answered", None)
        await self._stop_ringback()
        try:
            # at once: a prompt still playing is heard by both, then they talk
            await self.ari.request(
                "POST", f"/bridges/{bridge_id}/addChannel", {"channel": leg.channel_id}
            )
        except AriError as exc:
            await self._hang_up_leg(leg)
            await self._release(leg, "failed", None)
            if self.line.hung_up.is_set():
                raise CallerHungUp() from exc
            raise AgentError(f"takeover {self.takeover_id}: bridging failed: {exc}") from exc
        self.metrics.bridged = asyncio.get_running_loop().time()
        self.metrics.agent = leg.login
        await asyncio.to_thread(self.desk.log.connected, self.takeover_id, leg.login, bridge_id)
        await self.desk.changed(self.takeover_id, leg.login)
        log.info(
            "takeover %s: %s talks to the applicant of %s",
            self.takeover_id,
            leg.login,
            self.attempt_id,
        )
        try:
            await self._until_one_leaves(leg)
        finally:
            await self._hang_up_leg(leg)
            await asyncio.to_thread(self.desk.log.finish, self.takeover_id, "ended")
            self.desk.router.unregister(leg.channel_id)
            await asyncio.to_thread(
                self.desk.roster.release, leg.login, self.takeover_id, talked=True
            )
            await self.desk.changed(self.takeover_id, leg.login)
        return HandoverResult(connected=True, agent=leg.login)

    async def _until_one_leaves(self, leg: Leg) -> None:
        while True:
            event = await next_event(leg, self.line.hung_up, LEG_CHECK)
            if self.line.hung_up.is_set():
                return
            if event is None:
                try:
                    await self.ari.get_channel(leg.channel_id)
                except AriNotFound:
                    return
                continue
            if event.get("type") in LEG_GONE:
                return

    # -- nobody ----------------------------------------------------------------------

    async def nobody_available(self) -> HandoverResult:
        """No agent could take the call: queue the call-back without a transfer prompt."""
        reason = self.request.rule_label + "，无空闲坐席"
        task = await self._callback(reason, "no_agent")
        log.info("takeover %s: no agent available; call-back task %s", self.takeover_id, task)
        return HandoverResult(connected=False, callback_task=task)

    async def _nobody(self) -> HandoverResult:
        # the applicant hears the whole prompt, then goes back to the script
        self._giving_up = True
        await self._prompt_done()
        await self._stop_ringback()
        if self.line.hung_up.is_set():
            raise CallerHungUp()
        try:
            await self.ari.request(
                "POST", f"/bridges/{self.bridge_id}/removeChannel", {"channel": self.attempt_id}
            )
        except AriError as exc:
            if self.line.hung_up.is_set():
                raise CallerHungUp() from exc
            log.warning("takeover %s: leaving the bridge failed: %s", self.takeover_id, exc)
        reason = self.request.rule_label + ("，坐席未接听" if self._rang else "，无空闲坐席")
        task = await self._callback(reason, "no_agent")
        log.info("takeover %s: no agent took the call; call-back task %s", self.takeover_id, task)
        return HandoverResult(connected=False, callback_task=task)

    async def _abandoned(self) -> None:
        reason = self.request.rule_label + "，转接等待中挂断"
        await self._callback(reason, "abandoned")

    async def _callback(self, reason: str, state: str) -> int:
        await asyncio.to_thread(self.desk.log.finish, self.takeover_id, state)
        task = await asyncio.to_thread(
            self.desk.callbacks.add,
            self.attempt_id,
            self.takeover_id,
            reason,
            self.request.misconduct,
        )
        await self.desk.changed(self.takeover_id, kind="callback")
        return task
