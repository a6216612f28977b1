"""The tasks: thin wrappers that hand the work to the campaign services.

- ``plan_month`` (beat, monthly): sample last month's cases for this month's calls;
- ``dispatch`` (beat, every few seconds): queue due jobs (a dial does it too, after its call);
- ``dial`` (one attempt of one job): place the call and record what the policy says;
- ``render_prompts`` (when a campaign starts, and for a call held back): synthesise the
  prompts of the calls to come, so that dialling only plays files that exist.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery.schedules import crontab

from callcenter.campaign._reports import DialReport
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.dialer import Enqueue
from callcenter.campaign.runtime import CampaignRuntime, Parts
from callcenter.kernel.errors import ConfigError
from callcenter.profiles.model import Cycle

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

DIAL = "callcenter.campaign.dial"
DISPATCH = "callcenter.campaign.dispatch"
PLAN_MONTH = "callcenter.campaign.plan_month"
RENDER_PROMPTS = "callcenter.campaign.render_prompts"


# plans the coming month: (calling month, whether a new plan was made)
PlanMonth = Callable[[], tuple[str, bool]]
# renders the prompts of these cases (for the script named), or of every job to call
# for None; returns the distinct texts
RenderPrompts = Callable[[list[int] | None, str | None], int]


def beat_schedule(
    settings: CampaignSettings, cycle: Cycle | None = None
) -> dict[str, dict[str, Any]]:
    """Beat's entries: the monthly plan (or, for a profile called every working day, the
    daily one at the profile's ``plan_time``) and the frequent dispatch. The daily entry
    runs every day: the task itself skips days off and plans a day at most once."""
    try:
        hour, minute = (int(x) for x in settings.plan_time.split(":"))
    except ValueError:
        raise ConfigError(f"campaign.plan_time {settings.plan_time!r} is not HH:MM") from None
    if cycle is not None and cycle.every == "working_day":
        hour, minute = (int(x) for x in cycle.plan_time.split(":"))
        return {
            "plan-day": {"task": PLAN_MONTH, "schedule": crontab(minute=minute, hour=hour)},
            "dispatch": {"task": DISPATCH, "schedule": settings.dispatch_interval_seconds},
        }
    return {
        "plan-month": {
            "task": PLAN_MONTH,
            "schedule": crontab(minute=minute, hour=hour, day_of_month=settings.plan_day),
        },
        "dispatch": {"task": DISPATCH, "schedule": settings.dispatch_interval_seconds},
    }


class WorkerContext:
    """The worker process's campaign runtime, started by the first task that needs it."""

    def __init__(
        self,
        app: Celery,
        make_runtime: Callable[[Enqueue], CampaignRuntime],
        plan_month: PlanMonth,
        render_prompts: RenderPrompts | None = None,
    ) -> None:
        self.app = app
        self._make_runtime = make_runtime
        self.plan_month = plan_month
        self.render_prompts = render_prompts
        self._runtime: CampaignRuntime | None = None
        self._lock = threading.Lock()

    def runtime(self) -> CampaignRuntime:
        with self._lock:
            if self._runtime is None:
                runtime = self._make_runtime(self.send_dial)
                runtime.start()
                self._runtime = runtime
            return self._runtime

    def send_dial(self, job_id: int, key: str) -> None:
        self.app.send_task(DIAL, args=[job_id, key])

    def send_dispatch(self) -> None:
        self.app.send_task(DISPATCH)

    def send_render(self, case_ids: list[int] | None, script: str | None = None) -> None:
        self.app.send_task(RENDER_PROMPTS, args=[case_ids, script])

    def stop(self) -> None:
        with self._lock:
            if self._runtime is not None:
                self._runtime.stop()
                self._runtime = None


def register(app: Celery, context: WorkerContext) -> None:
    # shared=False: these tasks close over this app's context; shared, every later app
    # in the process would get them too, and Celery warns of the duplicate names
    @app.task(name=DIAL, ignore_result=True, shared=False)
    def dial(job_id: int, key: str) -> dict[str, Any]:
        report = context.runtime().run(lambda p: _dial_then_fill(p, job_id, key))
        return {"status": report.status, "outcome": report.outcome, "result": report.result}

    @app.task(name=DISPATCH, ignore_result=True, shared=False)
    def dispatch(quick: bool = False) -> int:
        return context.runtime().run(
            lambda p: p.gate.run(lambda: p.dialer.dispatch(quick=quick))
        )

    @app.task(name=PLAN_MONTH, ignore_result=True, shared=False)
    def plan_month() -> dict[str, Any]:
        month, created = context.plan_month()
        context.send_render(None)
        context.send_dispatch()
        return {"month": month, "created": created}

    @app.task(name=RENDER_PROMPTS, ignore_result=True, shared=False)
    def render_prompts(case_ids: list[int] | None, script: str | None = None) -> int:
        if context.render_prompts is None:
            log.warning("this worker renders no prompts; %s ignored", RENDER_PROMPTS)
            return 0
        return context.render_prompts(case_ids, script)


async def _dial_then_fill(parts: Parts, job_id: int, key: str) -> DialReport:
    """The call, then the slot it held filled at once rather than at beat's next tick
    (the taking back of what dead processes left waits for that tick). Here, not in a
    dispatch task of its own: at a hundred calls up, a message to the broker and back
    after every call was a third of the workers' time."""
    report = await parts.dialer.dial(job_id, key)
    try:
        await parts.gate.run(lambda: parts.dialer.dispatch(quick=True))
    except Exception:  # the call is recorded; beat's next dispatch fills the slot
        log.exception("dispatch after %s failed", key)
    return report
