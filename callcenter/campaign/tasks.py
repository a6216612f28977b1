"""The tasks: thin wrappers that hand the work to the campaign services.

- ``plan_month`` (beat, monthly): sample last month's cases for this month's calls;
- ``dispatch`` (beat, every few seconds, and after every call): queue due jobs;
- ``dial`` (one attempt of one job): place the call and record what the policy says.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from callcenter import bootstrap
from callcenter.campaign.runtime import CampaignRuntime
from callcenter.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

DIAL = "callcenter.campaign.dial"
DISPATCH = "callcenter.campaign.dispatch"
PLAN_MONTH = "callcenter.campaign.plan_month"


class WorkerContext:
    """The worker process's campaign runtime, started by the first task that needs it."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self.app = app
        self._runtime: CampaignRuntime | None = None
        self._lock = threading.Lock()

    def runtime(self) -> CampaignRuntime:
        with self._lock:
            if self._runtime is None:
                runtime = CampaignRuntime(self.settings, self.send_dial)
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
        settings = context.settings
        with bootstrap.open_ledger(settings) as ledger:
            service = bootstrap.campaign_service(settings, ledger)
            plan = service.plan()
            if plan.created and settings.campaign.auto_start:
                service.start(plan.campaign.month)
        log.info("campaign %s planned (%s)", plan.campaign.month, plan.campaign.state)
        context.send_dispatch()
        return {"month": plan.campaign.month, "created": plan.created}
