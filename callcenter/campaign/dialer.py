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
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.calls.call import CallResult
from callcenter.calls.prompts import PromptsNotReady
from callcenter.calls.slots import Slots, SlotTimeout
from callcenter.calls.store import Ledger, LedgerUnavailable
from callcenter.campaign._reports import DialReport, DispatchReport
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.jobs import Job
from callcenter.campaign.policy import JobResult, RetryPolicy, decide
from callcenter.campaign.routing import Route
from callcenter.campaign.store import CampaignStore
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import CalendarError, CallcenterError, LedgerError

log = logging.getLogger(__name__)

# sends the dial task of one attempt: (job id, attempt key)
Enqueue = Callable[[int, str], None]
# renders a case's prompts (for the script named, None: the default) ahead of its call
Prerender = Callable[[CaseInfo, str | None], Awaitable[None]]
# asks for the prompts of these cases (for the script named) to be rendered, elsewhere
RequestRender = Callable[[list[int], str | None], None]
# told when a job has ended, with how, and the key of its last attempt (re-visits report
# back to their 整改 ticket this way)
JobDone = Callable[[Job, JobResult, str], Awaitable[None]]
# adds jobs from elsewhere (the re-visits now due) before a dispatch picks due jobs
Feed = Callable[[], Awaitable[int]]


class Caller(Protocol):
    """What the dialer needs of the controller (``callcenter.calls.controller``)."""

    owner: str

    async def recover(self) -> int: ...

    async def check_prompts(
        self, case: CaseInfo, script_id: str | None = None
    ) -> Mapping[str, str] | None: ...

    async def place(
        self,
        case: CaseInfo,
        attempt_id: str | None = None,
        script_id: str | None = None,
        media: Mapping[str, str] | None = None,
    ) -> CallResult: ...


@dataclass(frozen=True)
class DialRules:
    """When and how often a campaign may call: its settings, calendar and retry policy."""

    settings: CampaignSettings
    calendar: CallingCalendar
    policy: RetryPolicy

    @classmethod
    def from_settings(
        cls, settings: CampaignSettings, call_days: tuple[int, int] | None = None
    ) -> DialRules:
        calendar = CallingCalendar.from_settings(settings, call_days)
        return cls(settings, calendar, RetryPolicy.from_settings(settings))


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
        render: RequestRender | None = None,
        on_done: JobDone | None = None,
        feed: Feed | None = None,
        route: Route | None = None,
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
        self.render = render
        self.on_done = on_done
        self.feed = feed
        self.route = route

    # -- dispatch --------------------------------------------------------------------

    async def dispatch(self, quick: bool = False) -> DispatchReport:
        """Queue due jobs for the free slots; unless ``quick`` (after each call, when only
        slots have come free), first take back what dead processes left."""
        report = DispatchReport()
        now = self.clock.now()
        if not quick:
            await self._housekeeping(report, now)
            now = self.clock.now()  # what was just added is due by now
        return await self._fill(report, now)

    async def _housekeeping(self, report: DispatchReport, now: datetime) -> None:
        report.recovered_calls = await self.controller.recover()
        for job in await asyncio.to_thread(self.store.orphaned_jobs, now):
            if await self._settle(job):
                report.settled_orphans += 1
        older = now - timedelta(seconds=self.settings.requeue_after_seconds)
        stale = await asyncio.to_thread(self.store.stale_queued, older, now)
        for job_id, key in stale:
            log.warning("job %s (%s) was queued but never taken; sending it again", job_id, key)
            # a broker publish blocks: keep it off the loop the calls run on
            await self._send(job_id, key)
        report.resent = len(stale)
        for campaign_id in await asyncio.to_thread(self.store.running_campaign_ids):
            if await asyncio.to_thread(self.store.finish_if_done, campaign_id, now):
                report.finished.append(campaign_id)
        if self.feed is not None:
            try:
                report.fed = await self.feed()
            except CallcenterError as exc:
                log.error("jobs from elsewhere not added this time: %s", exc)

    async def _fill(self, report: DispatchReport, now: datetime) -> DispatchReport:
        try:
            report.blocked, report.next_allowed = self._closed(now)
        except CalendarError as exc:
            report.blocked = await self._pause_all(exc)
            return report
        if report.blocked is not None:
            return report
        busy = await asyncio.to_thread(self.store.busy_jobs)
        # a few jobs queued beyond the limit wait for a slot in their dial task, so a
        # slot that comes free is taken at once rather than after a dispatch round
        limit = self.settings.max_concurrent_per_trunk
        in_use = await self.slots.in_use()
        free = limit + self.settings.ahead() - max(busy, in_use)
        servers: list[str] | None = None
        if self.route is not None:
            # each server has its own room, its trunk a shared one, a down server none;
            # those ahead go to any server's queue, but only as many as are not already
            # waiting there without a slot: else every dispatch adds more, piled up on one
            servers = await self.route.plan()
            free = len(servers) + max(0, self.settings.ahead() - max(0, busy - in_use))
        if free <= 0:
            return report
        # a few more than free, in case some are held back by a unit's daily cap
        capped = self.settings.unit_daily_cap is not None or bool(self.settings.unit_daily_caps)
        due = await asyncio.to_thread(self.store.due_jobs, now, free * 3 if capped else free)
        chosen = await self._under_caps(due, free, now, report) if capped else due
        # one transaction and one trip to the broker's thread for them all: dispatches
        # run one at a time, after every call, so their length paces the calls
        queued = await asyncio.to_thread(self.store.mark_queued_many, chosen, now)
        if self.route is None:
            await asyncio.to_thread(lambda: [self.enqueue(j.id, j.attempt_key) for j in queued])
        else:
            for i, job in enumerate(queued):
                server = servers[i] if servers is not None and i < len(servers) else None
                await self._send(job.id, job.attempt_key, server)
        report.queued = len(queued)
        return report

    async def _under_caps(
        self, due: list[Job], free: int, now: datetime, report: DispatchReport
    ) -> list[Job]:
        """Up to ``free`` of the ``due`` jobs, passing over units at their daily cap.
        (Without caps this is skipped: the day's load is a query over its calls, and a
        dispatch runs after every call.)"""
        load = await asyncio.to_thread(self.store.unit_load, *self.calendar.day_bounds(now))
        caps = await asyncio.to_thread(self._unit_caps)
        chosen: list[Job] = []
        for job in due:
            if len(chosen) >= free:
                break
            cap = caps.get(job.unit_id, self.settings.unit_daily_cap)
            if cap is not None and load[job.unit_id] >= cap:
                report.capped += 1
                continue
            load[job.unit_id] += 1
            chosen.append(job)
        return chosen

    async def _send(self, job_id: int, key: str, server: str | None = None) -> None:
        if self.route is not None:
            await self.route.send(job_id, key, server)
        else:
            # a broker publish blocks: keep it off the loop the calls run on
            await asyncio.to_thread(self.enqueue, job_id, key)

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
        if self.route is not None:
            await self.route.done(key)  # taken, or never to be: no longer on its way
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
            if await asyncio.to_thread(self.store.skip, job, "do_not_call", self.clock.now()):
                await self._done(job, JobResult.SKIPPED, job.attempt_key)
            return DialReport(job.id, job.attempt_key, "skipped", result=JobResult.SKIPPED)
        if (released := await self._release_if_closed(job)) is not None:
            return released
        if (released := await self._release_if_down(job)) is not None:
            return released
        case = await asyncio.to_thread(self.ledger.case_info, job.case_id)
        if self.prerender is not None:
            await self.prerender(case, job.script)
        try:
            media = await self.controller.check_prompts(case, job.script)
        except PromptsNotReady as exc:
            # speech is synthesised off the call path: ask for it and try again later,
            # without taking a slot meanwhile
            if self.render is not None:
                await asyncio.to_thread(self.render, [job.case_id], job.script)
            due = self.clock.now() + timedelta(seconds=self.settings.prompt_wait_seconds)
            return await self._release(job, due, str(exc))
        try:
            async with self.slots.hold(job.attempt_key, timeout=self.settings.slot_wait_seconds):
                # the wait may have outlasted the window, or this worker's server
                if (released := await self._release_if_closed(job)) is not None:
                    return released
                if (released := await self._release_if_down(job)) is not None:
                    return released
                result = await self.controller.place(
                    case, attempt_id=job.attempt_key, script_id=job.script, media=media
                )
        except SlotTimeout as exc:
            return await self._release(job, self.clock.now(), str(exc))
        result_of_job = await self._record(job, result.outcome)
        return DialReport(
            job.id, job.attempt_key, "dialled", result.outcome, result_of_job, result.note
        )

    def _closed(self, at: datetime) -> tuple[str | None, datetime | None]:
        """Why no call may start at ``at`` (None if one may) and when one next may;
        CalendarError if the calendar cannot tell."""
        why = self.calendar.why_not(at)
        return why, (None if why is None else self.calendar.next_allowed(at))

    async def _release_if_down(self, job: Job) -> DialReport | None:
        """The job put back if this worker's server is lost, else None: back in line,
        the dispatcher sends it to a server that answers."""
        if self.route is None or (down := self.route.unavailable()) is None:
            return None
        due = self.clock.now() + timedelta(seconds=self.route.retry_seconds)
        return await self._release(job, due, down)

    async def _release_if_closed(self, job: Job) -> DialReport | None:
        """The job put back if no call may start now, else None."""
        now = self.clock.now()
        try:
            why, next_at = self._closed(now)
        except CalendarError as exc:
            return await self._release(job, now, await self._pause_all(exc))
        if why is None or next_at is None:
            return None
        return await self._release(job, next_at, why)

    async def _pause_all(self, exc: CalendarError) -> str:
        """Pause the running campaigns on a day the calendar does not know, instead of
        failing in the middle of one; ``campaign status`` shows why. Returns the reason."""
        reason = str(exc)
        paused = await asyncio.to_thread(self.store.pause_running, reason)
        if paused:
            log.error("campaigns %s paused: %s", ", ".join(paused), reason)
        return reason

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
            try:
                retry_at = self.calendar.next_allowed(decision.retry_at)
            except CalendarError as exc:
                # the call is recorded all the same; its campaign waits for the calendar
                retry_at = decision.retry_at
                await self._pause_all(exc)
        recorded = await asyncio.to_thread(
            self.store.record_attempt,
            job,
            outcome.value,
            partial,
            decision.result.value if decision.result else None,
            retry_at,
            now,
        )
        log.info("job %s attempt %s: %s", job.id, job.attempt_key, decision.reason)
        if recorded and decision.result is not None:
            await self._done(job, decision.result, job.attempt_key)
        return decision.result

    async def _done(self, job: Job, result: JobResult, last_attempt: str) -> None:
        if self.on_done is None:
            return
        try:
            await self.on_done(job, result, last_attempt)
        except Exception:  # the job is recorded; what follows must not undo it
            log.exception("job %s ended %s, but its follow-up failed", job.id, result)

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
