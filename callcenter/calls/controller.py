"""The ARI controller: owns the events WebSocket and every call in progress.

Wiring happens in ``bootstrap``; this class only coordinates. After the WebSocket
reconnects it tells each call which channels still exist (events in the gap are lost),
and at start-up it closes attempts a previous process left open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from callcenter.calls.answer_batch import AnswerBatch, save_answers
from callcenter.calls.call import CallDeps, CallResult, OutboundCall, render_prompts
from callcenter.calls.leases import Leases
from callcenter.calls.line import RESYNC
from callcenter.calls.prompts import media_for
from callcenter.calls.slots import LocalSlots, Slots
from callcenter.calls.write_batch import WriteBatch
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import AriError, AriNotFound, LedgerError

log = logging.getLogger(__name__)

LEDGER_WRITERS = 4
# Events no call, takeover or listen-in reads: about a fifth of what a call would be sent
# (seven ChannelVarset and three Dial per interview). An agent's ringing phone is seen in
# its ChannelStateChange.
UNUSED_EVENTS = (
    "ChannelVarset",
    "Dial",
    "ChannelDialplan",
    "ChannelCallerId",
    "ChannelConnectedLine",
    "RecordingStarted",
)


class Controller:
    """Places calls with ``deps`` (whose router must be the one fed by this controller's
    events WebSocket: the composition root builds both)."""

    def __init__(
        self,
        deps: CallDeps,
        *,
        slots: Slots | None = None,
        leases: Leases | None = None,
    ) -> None:
        self.deps = deps
        self.ari = deps.ari
        self.ledger = deps.ledger
        self.router = deps.router
        self.clock = deps.clock
        self.lease_seconds = deps.config.controller.lease_seconds
        self.slots: Slots = slots or LocalSlots(deps.config.dial.max_concurrent)
        # the process's name among those sharing the ledger: its ARI app, unique per
        # connected process; recorded on each attempt it places
        self.owner = deps.owner
        self.leases = leases
        self._heartbeat: asyncio.Task[None] | None = None
        self.active: set[str] = set()
        # calls closed in the ledger by ``interrupt``: what the ledger says of them
        self.interrupted: dict[str, tuple[Outcome, str]] = {}
        self.resyncs = 0  # (re)connections of the events WebSocket so far
        self._events: asyncio.Task[None] | None = None
        # Calls' ledger writes run in a few threads of their own: spread over dozens,
        # their Python work would contend for the interpreter with the event loop and
        # delay the prompts; the database takes one writer at a time anyway (SQLite)
        # or gains little from more (PostgreSQL, commits in a few milliseconds).
        self.writer = ThreadPoolExecutor(LEDGER_WRITERS, thread_name_prefix="ledger")
        self.answers = AnswerBatch(partial(save_answers, deps.ledger.engine), self.writer)
        self.batch = WriteBatch(deps.ledger.engine, self.writer)

    async def __aenter__(self) -> Controller:
        # ledger writes, prompt rendering and file moves run in threads; the default
        # pool (cores + 4) queues them behind each other when many calls are up
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=32, thread_name_prefix="callcenter-io")
        )
        self._events = asyncio.create_task(
            self.ari.run_events(self.router.dispatch, on_connect=self._resync), name="ari-events"
        )
        await self.ari.wait_connected(timeout=20)
        if self.leases is not None:
            await self._renew_lease()
            self._heartbeat = asyncio.create_task(self._keep_lease(), name="controller-lease")
        await self.recover()
        if self.deps.handover is not None:
            await self.deps.handover.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            if self.leases is not None:
                with contextlib.suppress(LedgerError):
                    await asyncio.to_thread(self.leases.drop, self.owner)
        if self._events is not None:
            self._events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._events
        await self.answers.close()
        await self.batch.close()
        self.writer.shutdown(wait=False)

    async def call(
        self, case: CaseInfo, attempt_id: str | None = None, script_id: str | None = None
    ) -> CallResult:
        """Render the case's prompts if need be, then ``place`` the call: for a call
        placed by hand. Campaigns render ahead and ``place`` only."""
        await self.render_prompts(case, script_id)
        return await self.place(case, attempt_id, script_id)

    async def place(
        self,
        case: CaseInfo,
        attempt_id: str | None = None,
        script_id: str | None = None,
        media: Mapping[str, str] | None = None,
    ) -> CallResult:
        """Place one call (with the script named ``script_id``, the default one for None)
        when a slot is free and return how it ended.

        Its prompts must be rendered already: if one is missing, ``PromptsNotReady`` is
        raised before a slot is taken or anything is written or dialled. ``media``: what
        ``check_prompts`` found for this case and script, so it is not looked up twice.
        """
        attempt_id = attempt_id or str(uuid.uuid4())
        script = self.deps.script_for(script_id)
        if media is None:
            media = await asyncio.to_thread(media_for, self.deps.prompts, script, case)
        async with self.slots.hold(attempt_id):
            self.active.add(attempt_id)
            try:
                call = OutboundCall(
                    self.deps,
                    case,
                    attempt_id,
                    script,
                    media,
                    self.writer,
                    self.answers,
                    self.batch,
                    line_free=partial(self._line_free, attempt_id),
                )
                result = await call.run()
            finally:
                self.active.discard(attempt_id)
        if (closed := self.interrupted.pop(attempt_id, None)) is not None:
            # the ledger's first finish counts: report that one, not the call's own
            result.outcome, result.note = closed
        return result

    async def check_prompts(self, case: CaseInfo, script_id: str | None = None) -> dict[str, str]:
        """The media of every prompt of the case's call (for ``place``); PromptsNotReady
        unless every one is rendered."""
        script = self.deps.script_for(script_id)
        return await asyncio.to_thread(media_for, self.deps.prompts, script, case)

    async def render_prompts(self, case: CaseInfo, script_id: str | None = None) -> None:
        """Render a case's prompts ahead of its call (a campaign does it when queuing)."""
        await render_prompts(self.deps, case, self.deps.script_for(script_id))

    async def call_all(self, cases: Iterable[CaseInfo]) -> list[CallResult]:
        return list(await asyncio.gather(*(self.call(c) for c in cases)))

    async def recover(self) -> int:
        """Close attempts left open by a process that stopped mid-call; return how many.

        With leases, only attempts whose owner is this process or no live one: others
        sharing the ledger may be in the middle of theirs. Safe to call at any time.
        """
        if self.leases is not None:
            left = await asyncio.to_thread(
                self.leases.orphaned_attempts, self.owner, self.clock.now()
            )
        else:
            left = await asyncio.to_thread(self.ledger.unfinished_attempts)
        closed = 0
        for attempt_id in left:
            if attempt_id in self.active:
                continue
            with contextlib.suppress(AriNotFound, AriError):
                await self.ari.hangup(attempt_id)
                # a hang-up is asynchronous: wait until the channel is gone, so that it
                # no longer counts against a concurrency limit when this returns
                await self.wait_gone(attempt_id)
            view = await asyncio.to_thread(self.ledger.attempt, attempt_id)
            outcome = Outcome.PARTIAL if view.answered_at else Outcome.FAILED
            note = "控制器重启，通话中断"
            if view.answers:
                note += f"，已答{sum(1 for a in view.answers if a.question_id != 'consent')}题"
            if await asyncio.to_thread(
                self.ledger.finish_attempt, attempt_id, outcome, None, self.clock.now(), note
            ):
                closed += 1
        if closed:
            log.warning("closed %d call attempts left open by an earlier run", closed)
        return closed

    async def interrupt(self, note: str) -> list[str]:
        """Close every call in progress as interrupted (its Asterisk is lost) and make
        each stop waiting for events that will not come; return the attempts closed.

        The ledger's conditional finish decides between this and the call's own end,
        so an attempt is closed once whichever comes first.
        """
        closed: list[str] = []
        for attempt_id in list(self.active):
            try:
                view = await asyncio.to_thread(self.ledger.attempt, attempt_id)
            except LedgerError:
                continue  # not written yet: its dial fails on the unreachable ARI
            outcome = Outcome.PARTIAL if view.answered_at else Outcome.FAILED
            if await asyncio.to_thread(
                self.ledger.finish_attempt, attempt_id, outcome, None, self.clock.now(), note
            ):
                self.interrupted[attempt_id] = (outcome, note)
                closed.append(attempt_id)
            queue = self.router.queue_for(attempt_id)
            if queue is not None:
                queue.put_nowait({"type": RESYNC, "channel_ids": set()})
        if closed:
            log.warning("closed %d calls as interrupted: %s", len(closed), note)
        return closed

    async def _line_free(self, attempt_id: str, gone: bool) -> None:
        """The slot given back as soon as Asterisk no longer counts the call's channel
        (so the limit holds as Asterisk sees it), not after the ledger and hooks."""
        if not gone:
            with contextlib.suppress(AriError):
                await self.wait_gone(attempt_id)
        await self.slots.release(attempt_id)

    async def wait_gone(self, channel_id: str, timeout: float = 5.0) -> bool:
        """Poll ARI until Asterisk has destroyed the channel; False if still up at timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                await self.ari.get_channel(channel_id)
            except AriNotFound:
                return True
            await asyncio.sleep(0.05)
        log.warning("channel %s still up %g s after its hang-up", channel_id, timeout)
        return False

    async def _renew_lease(self) -> None:
        assert self.leases is not None
        await asyncio.to_thread(
            self.leases.renew,
            self.owner,
            self.lease_seconds,
            self.clock.now(),
            socket.gethostname(),
            os.getpid(),
        )

    async def _keep_lease(self) -> None:
        """Renew the lease at a third of its length, so one missed write does not lose it."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self._renew_lease()
            except LedgerError as exc:
                log.warning("could not renew the lease of %s: %s", self.owner, exc)

    async def _resync(self) -> None:
        """After a (re)connect: tell every call which channels Asterisk still has."""
        self.resyncs += 1
        try:
            await self.ari.filter_events(UNUSED_EVENTS)
        except AriError as exc:
            # an Asterisk before 22 sends everything: slower, not wrong
            log.warning("ARI event filter not set, every event will be sent: %s", exc)
        if not self.active:
            return
        channel_ids = {ch["id"] for ch in await self.ari.channels()}
        log.info("resync: %d calls in progress, %d channels up", len(self.active), len(channel_ids))
        for attempt_id in list(self.active):
            queue = self.router.queue_for(attempt_id)
            if queue is not None:
                queue.put_nowait({"type": RESYNC, "channel_ids": channel_ids})
