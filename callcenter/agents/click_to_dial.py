"""Click-to-dial: a staff member's own phone rings first, then the applicant's.

Used where a person, not the script, must talk to the applicant (a unit's liaison
contacting them about a 整改 ticket, a supervisor verifying it). When the staff phone
answers, the applicant is dialled through the trunk; when they answer too, both are put
in a bridge of their own and the applicant's channel is recorded whole (a snoop, as for
every call). The call is a row of the ledger like any other, so it is kept, sealed and
shown with its recording; whoever asked is told its attempt id when it ends.

This runs in the web process, under its ARI application (``agents.listen_app``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callcenter.agents.config import AgentSettings
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster, is_handler
from callcenter.calls.config import DialSettings
from callcenter.calls.recording import WholeCallRecorder
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome, classify_unanswered
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import AgentError, AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter, wait_answered

log = logging.getLogger(__name__)

Event = dict[str, Any]
GONE = frozenset({"ChannelHangupRequest", "StasisEnd", "ChannelDestroyed"})
SCRIPT_ID = "click_to_dial"  # the ledger's script column for these calls

# told the attempt id and outcome once a click-to-dial call has ended
Finished = Callable[[str, Outcome], Awaitable[None]]


@dataclass
class ClickCall:
    attempt_id: str  # the applicant's channel and the ledger row
    user: str
    case_id: int
    note: str
    state: str = "ringing"  # ringing | dialling | talking | ended
    outcome: Outcome | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def phone_channel(self) -> str:
        # not the attempt id with a suffix: Asterisk refuses a new channel whose id is a
        # prefix of a live one's
        return f"staff-{self.attempt_id}"


@dataclass(frozen=True)
class Paths:
    spool_dir: Path  # where Asterisk writes recordings, as this process sees it
    recordings_dir: Path
    storage_root: Path


class ClickToDial:
    def __init__(
        self,
        ari: AriClient,
        router: EventRouter,
        roster: AgentRoster,
        ledger: Ledger,
        settings: AgentSettings,
        dial: DialSettings,
        paths: Paths,
        clock: Clock,
        connect: Callable[[], Awaitable[None]],
    ) -> None:
        self.ari = ari
        self._connect = connect  # opens the application's events WebSocket on first use
        self.router = router
        self.roster = roster
        self.ledger = ledger
        self.settings = settings
        self.dial = dial
        self.paths = paths
        self.clock = clock
        self.calls: dict[str, ClickCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(
        self, user: str, case_id: int, note: str, finished: Finished | None = None
    ) -> ClickCall:
        """Ring ``user``'s phone; the applicant of ``case_id`` is dialled when it answers."""
        agent = await asyncio.to_thread(self.roster.find, user)
        if agent is None or not agent.enabled:
            raise AgentError(
                f"{user!r} has no enabled phone: add one with `callcenter agent add {user}`"
            )
        if not (await Presence(self.ari).phone(user)).free:
            raise AgentError(f"the phone of {user!r} is not registered or is busy")
        case = await asyncio.to_thread(self.ledger.case_info, case_id)
        if is_handler(agent, case.handler):
            raise AgentError(
                f"{user!r} handled case {case.case_no} (办案人): its applicant is called back "
                "by someone else (回访人员与办案人员分离)"
            )
        await self._connect()
        call = ClickCall(f"c2d-{uuid.uuid4().hex[:16]}", user, case_id, note)
        queue = self.router.register(call.attempt_id)
        self.router.alias(call.phone_channel, call.attempt_id)
        await asyncio.to_thread(
            self.ledger.start_attempt,
            call.attempt_id,
            case_id,
            SCRIPT_ID,
            self.clock.now(),
            self.ari.app,
        )
        try:
            await self.ari.originate(
                f"PJSIP/{user}",
                channel_id=call.phone_channel,
                app_args=f"click-to-dial,{case.case_no}",
                timeout=self.settings.ring_timeout,
                # the staff phone shows which case it is about, not a database id
                caller_id=f'"{case.case_no}" <{case.case_no}>',
            )
        except AriError as exc:
            self.router.unregister(call.attempt_id)
            await self._finish(call, Outcome.FAILED, f"呼叫{user}的话机失败")
            raise AgentError(f"calling the phone of {user!r} failed: {exc}") from exc
        self.calls[call.attempt_id] = call
        task = asyncio.create_task(
            self._run(call, case.phone, queue, finished), name=call.attempt_id
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("click-to-dial %s: ringing %s for case %s", call.attempt_id, user, case_id)
        return call

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(
        self,
        call: ClickCall,
        number: str,
        queue: asyncio.Queue[Event],
        finished: Finished | None,
    ) -> None:
        outcome, note, recorder = Outcome.FAILED, "", None
        try:
            ring = self.settings.ring_timeout + 10
            if not await wait_answered(queue, call.phone_channel, ring):
                outcome, note = Outcome.FAILED, f"{call.user}的话机未接听"
                return
            call.state = "dialling"
            await self.ari.originate(
                self.dial.endpoint.format(number=number),
                channel_id=call.attempt_id,
                app_args="click-to-dial",
                timeout=self.dial.ring_timeout,
                caller_id=self.dial.caller_id,
            )
            cause = await self._applicant(queue, call.attempt_id)
            if cause is not None:
                outcome, note = classify_unanswered(cause), ""
                return
            await asyncio.to_thread(self.ledger.mark_answered, call.attempt_id, self.clock.now())
            recorder = WholeCallRecorder(
                self.ari,
                self.router,
                call.attempt_id,
                self.paths.spool_dir,
                self.paths.recordings_dir,
            )
            await self._bridge(call)
            await recorder.start()
            call.state = "talking"
            outcome = Outcome.COMPLETE
            await self._until_one_leaves(queue, call)
        except (AriError, TimeoutError) as exc:
            log.warning("click-to-dial %s failed: %s", call.attempt_id, exc or "timeout")
            note = "系统故障，通话中断"
        finally:
            await self._hang_up(call)
            if recorder is not None:
                sealed = await recorder.finish()
                if sealed is not None:
                    await asyncio.to_thread(
                        self.ledger.seal_recording,
                        call.attempt_id,
                        sealed.path,
                        duration=sealed.duration,
                        sha256=sealed.sha256,
                        question_id=None,
                        storage_root=self.paths.storage_root.resolve(),
                    )
            await self._finish(call, outcome, note)
            if finished is not None:
                try:
                    await finished(call.attempt_id, outcome)
                except Exception:  # the call is recorded; attaching it must not undo that
                    log.exception("click-to-dial %s: could not be attached", call.attempt_id)

    async def _applicant(self, queue: asyncio.Queue[Event], channel: str) -> int | None:
        """None once the applicant answers; the hang-up cause if they never do (or the
        staff member hangs up while it rings: 16, normal clearing)."""
        async with asyncio.timeout(self.dial.ring_timeout + 10):
            while True:
                event = await queue.get()
                kind, chan = event.get("type"), event.get("channel", {}).get("id")
                if chan == channel and kind == "StasisStart":
                    return None
                if chan == channel and kind == "ChannelDestroyed":
                    return int(event.get("cause") or 0)
                if chan != channel and kind in GONE:
                    return 16

    async def _bridge(self, call: ClickCall) -> None:
        bridge = f"{call.attempt_id}-bridge"
        await self.ari.request("POST", "/bridges", {"type": "mixing", "bridgeId": bridge})
        await self.ari.request(
            "POST",
            f"/bridges/{bridge}/addChannel",
            {"channel": f"{call.phone_channel},{call.attempt_id}"},
        )

    async def _until_one_leaves(self, queue: asyncio.Queue[Event], call: ClickCall) -> None:
        parties = {call.phone_channel, call.attempt_id}
        while True:
            event = await queue.get()
            if event.get("type") in GONE and event.get("channel", {}).get("id") in parties:
                return

    async def _hang_up(self, call: ClickCall) -> None:
        for channel in (call.phone_channel, call.attempt_id):
            with contextlib.suppress(AriNotFound, AriError):
                await self.ari.hangup(channel)
        with contextlib.suppress(AriNotFound, AriError):
            await self.ari.request("DELETE", f"/bridges/{call.attempt_id}-bridge")

    async def _finish(self, call: ClickCall, outcome: Outcome, note: str) -> None:
        remark = "；".join(filter(None, [f"人工联系（{call.user}）：{call.note}", note]))
        await asyncio.shield(
            asyncio.to_thread(
                self.ledger.finish_attempt,
                call.attempt_id,
                outcome,
                None,
                self.clock.now(),
                remark,
            )
        )
        self.router.unregister(call.attempt_id)
        self.calls.pop(call.attempt_id, None)
        call.state, call.outcome = "ended", outcome
        call.ended.set()
        log.info("click-to-dial %s ended: %s", call.attempt_id, outcome)
