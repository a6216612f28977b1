"""Dispatching and dialling the jobs of running campaigns.

``dispatch`` is run by beat every few seconds and after every call: it takes back what
dead processes left (their open calls, their claimed jobs, messages lost with them),
then, inside a calling window, queues as many due jobs as there are free slots under
the trunk's limit and the units' daily caps. ``dial`` runs one queued attempt: it
claims the job under the attempt's key (so a duplicate task does nothing), checks the
window and the do-not-call list again, takes a slot, calls, and records what the
retry policy decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.calls.call import CallResult
from callcenter.calls.controller import Controller
from callcenter.calls.slots import Slots, SlotTimeout
from callcenter.calls.store import Ledger, LedgerUnavailable
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.jobs import Job
from callcenter.campaign.policy import JobResult, RetryPolicy, decide
from callcenter.campaign.store import CampaignStore
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import AriError, LedgerError

log = logging.getLogger(__name__)

# sends the dial task of one attempt: (job id, attempt key)
Enqueue = Callable[[int, str], None]
# renders a case's prompts ahead of its call
Prerender = Callable[[CaseInfo], Awaitable[None]]
# returns once Asterisk has destroyed a channel
ChannelGone = Callable[[str], Awaitable[None]]


class Caller(Protocol):
    """What the dialer needs of the controller (``callcenter.calls.controller``)."""

    owner: str

    async def recover(self) -> int: ...

    async def call(self, case: CaseInfo, attempt_id: str | None = None) -> CallResult: ...


@dataclass(frozen=True)
class DialRules:
    """When and how often a campaign may call: its settings, calendar and retry policy."""

    settings: CampaignSettings
    calendar: CallingCalendar
    policy: RetryPolicy

    @classmethod
    def from_settings(cls, settings: CampaignSettings) -> DialRules:
        return cls(
            settings, CallingCalendar.from_settings(settings), RetryPolicy.from_settings(settings)
        )


def channel_gone_with(controller: Controller) -> ChannelGone:
    """An interview ends when the line leaves the app, a little before Asterisk
    destroys the channel; this waits for the latter."""

    async def gone(channel_id: str) -> None:
        with contextlib.suppress(AriError):
            await controller.wait_gone(channel_id)

    return gone


@dataclass
class DispatchReport:
    recovered_calls: int = 0
    settled_orphans: int = 0
    resent: int = 0
    queued: int = 0
    capped: int = 0
    blocked: str | None = None  # why nothing was queued (outside the window…)
    next_allowed: datetime | None = None
    finished: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DialReport:
    job_id: int
    key: str
    status: str  # dialled / not-claimed / released / skipped
    outcome: Outcome | None = None
    result: JobResult | None = None
    note: str = ""


class Dialer:
    def __init__(
        self,
        store: CampaignStore,
        ledger: Ledger,
        controller: Caller,
        slots: Slots,
        rules: DialRules,
        *,
        clock: Clock,
        enqueue: Enqueue,
        prerender: Prerender | None = None,
        channel_gone: ChannelGone | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.controller = controller
        self.slots = slots
        self.settings = rules.settings
        self.calendar = rules.calendar
        self.policy = rules.policy
        self.clock = clock
        self.enqueue = enqueue
        self.prerender = prerender
        self.channel_gone = channel_gone

    # -- dispatch --------------------------------------------------------------------

    async def dispatch(self) -> DispatchReport:
        report = DispatchReport()
        report.recovered_calls = await self.controller.recover()
        now = self.clock.now()
        for job in await asyncio.to_thread(self.store.orphaned_jobs, now):
            if await self._settle(job):
                report.settled_orphans += 1
        older = now - timedelta(seconds=self.settings.requeue_after_seconds)
        stale = await asyncio.to_thread(self.store.stale_queued, older, now)
        for job_id, key in stale:
            log.warning("job %s (%s) was queued but never taken; sending it again", job_id, key)
            # a broker publish blocks: keep it off the loop the calls run on
            await asyncio.to_thread(self.enqueue, job_id, key)
        report.resent = len(stale)
        for campaign_id in await asyncio.to_thread(self.store.running_campaign_ids):
            if await asyncio.to_thread(self.store.finish_if_done, campaign_id, now):
                report.finished.append(campaign_id)
        report.blocked = self.calendar.why_not(now)
        if report.blocked is not None:
            report.next_allowed = self.calendar.next_allowed(now)
            return report
        busy = await asyncio.to_thread(self.store.busy_jobs)
        free = self.settings.max_concurrent_per_trunk - max(busy, await self.slots.in_use())
        if free <= 0:
            return report
        # a few more than free, in case some are held back by a unit's daily cap
        due = await asyncio.to_thread(self.store.due_jobs, now, free * 3)
        load = await asyncio.to_thread(self.store.unit_load, *self.calendar.day_bounds(now))
        caps = await asyncio.to_thread(self._unit_caps)
        for job in due:
            if report.queued >= free:
                break
            cap = caps.get(job.unit_id, self.settings.unit_daily_cap)
            if cap is not None and load[job.unit_id] >= cap:
                report.capped += 1
                continue
            if await asyncio.to_thread(self.store.mark_queued, job.id, job.attempt_key, now):
                load[job.unit_id] += 1
                await asyncio.to_thread(self.enqueue, job.id, job.attempt_key)
                report.queued += 1
        return report

    def _unit_caps(self) -> dict[int, int]:
        named = self.settings.unit_daily_caps
        if not named:
            return {}
        ids = self.store.unit_ids(named)
        return {ids[name]: cap for name, cap in named.items() if name in ids}

    # -- dial ------------------------------------------------------------------------

    async def dial(self, job_id: int, key: str) -> DialReport:
        now = self.clock.now()
        job = await asyncio.to_thread(self.store.claim, job_id, key, self.controller.owner, now)
        if job is None:
            log.info("dial %s: job %s is not waiting for this attempt; nothing to do", key, job_id)
            return DialReport(job_id, key, "not-claimed")
        try:
            return await self._dial_claimed(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dial %s failed; settling the job", key)
            await self.controller.recover()
            await self._settle(job)
            raise

    async def _dial_claimed(self, job: Job) -> DialReport:
        if job.campaign_state != "running":
            return await self._release(job, self.clock.now(), f"campaign {job.campaign_state}")
        if await asyncio.to_thread(self.store.is_do_not_call, job.phone):
            await asyncio.to_thread(self.store.skip, job, "do_not_call", self.clock.now())
            return DialReport(job.id, job.attempt_key, "skipped", result=JobResult.SKIPPED)
        if (why := self.calendar.why_not(self.clock.now())) is not None:
            return await self._release(job, self.calendar.next_allowed(self.clock.now()), why)
        case = await asyncio.to_thread(self.ledger.case_info, job.case_id)
        if self.prerender is not None:
            # rendered before taking a slot, so no slot waits for speech synthesis
            await self.prerender(case)
        try:
            async with self.slots.hold(job.attempt_key, timeout=self.settings.slot_wait_seconds):
                # the wait may have outlasted the window
                if (why := self.calendar.why_not(self.clock.now())) is not None:
                    return await self._release(
                        job, self.calendar.next_allowed(self.clock.now()), why
                    )
                result = await self.controller.call(case, attempt_id=job.attempt_key)
                if self.channel_gone is not None:
                    # the slot is given back once Asterisk no longer counts the channel,
                    # so the limit holds as Asterisk sees it
                    await self.channel_gone(job.attempt_key)
        except SlotTimeout as exc:
            return await self._release(job, self.clock.now(), str(exc))
        result_of_job = await self._record(job, result.outcome)
        return DialReport(
            job.id, job.attempt_key, "dialled", result.outcome, result_of_job, result.note
        )

    async def _release(self, job: Job, due_at: datetime, why: str) -> DialReport:
        log.info("dial %s not placed (%s); due again %s", job.attempt_key, why, due_at)
        await asyncio.to_thread(
            self.store.release, job.id, job.attempt_key, due_at, self.clock.now()
        )
        return DialReport(job.id, job.attempt_key, "released", note=why)

    async def _record(self, job: Job, outcome: Outcome) -> JobResult | None:
        now = self.clock.now()
        partial = outcome is Outcome.PARTIAL
        decision = decide(self.policy, outcome, job.attempts + 1, job.partials + int(partial), now)
        retry_at = None
        if decision.retry_at is not None:
            retry_at = self.calendar.next_allowed(decision.retry_at)
        await asyncio.to_thread(
            self.store.record_attempt,
            job,
            outcome.value,
            partial,
            decision.result.value if decision.result else None,
            retry_at,
            now,
        )
        log.info("job %s attempt %s: %s", job.id, job.attempt_key, decision.reason)
        return decision.result

    async def _settle(self, job: Job) -> bool:
        """Finish the bookkeeping of a job whose dialler is gone; True if done here."""
        try:
            view = await asyncio.to_thread(self.ledger.attempt, job.attempt_key)
        except LedgerUnavailable:
            raise
        except LedgerError:
            # never reached the ledger, so never dialled: back in line, as it was
            await asyncio.to_thread(
                self.store.release, job.id, job.attempt_key, self.clock.now(), self.clock.now()
            )
            return True
        if not view.finished or view.outcome is None:
            return False  # still open: its owner is alive, or recover could not close it
        await self._record(job, view.outcome)
        return True
