"""The tasks: thin wrappers that hand the work to the campaign services.

- ``plan_month`` (beat, monthly): sample last month's cases for this month's calls;
- ``dispatch`` (beat, every few seconds, and after every call): queue due jobs;
- ``dial`` (one attempt of one job): place the call and record what the policy says.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery.schedules import crontab

from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.dialer import Enqueue
from callcenter.campaign.runtime import CampaignRuntime
from callcenter.kernel.errors import ConfigError

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

DIAL = "callcenter.campaign.dial"
DISPATCH = "callcenter.campaign.dispatch"
PLAN_MONTH = "callcenter.campaign.plan_month"


# plans the coming month: (calling month, whether a new plan was made)
PlanMonth = Callable[[], tuple[str, bool]]


def beat_schedule(settings: CampaignSettings) -> dict[str, dict[str, Any]]:
    """Beat's entries: the monthly plan and the frequent dispatch."""
    try:
        hour, minute = (int(x) for x in settings.plan_time.split(":"))
    except ValueError:
        raise ConfigError(f"campaign.plan_time {settings.plan_time!r} is not HH:MM") from None
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
    ) -> None:
        self.app = app
        self._make_runtime = make_runtime
        self.plan_month = plan_month
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
        report = context.runtime().run(lambda p: p.dialer.dial(job_id, key))
        # a slot may have come free: fill it now rather than at beat's next tick
        context.send_dispatch()
        return {"status": report.status, "outcome": report.outcome, "result": report.result}

    @app.task(name=DISPATCH, ignore_result=True, shared=False)
    def dispatch() -> int:
        return context.runtime().run(lambda p: p.gate.run(p.dialer.dispatch))

    @app.task(name=PLAN_MONTH, ignore_result=True, shared=False)
    def plan_month() -> dict[str, Any]:
        month, created = context.plan_month()
        context.send_dispatch()
        return {"month": month, "created": created}
