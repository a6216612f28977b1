"""The Celery application, built from settings: broker, beat schedule, task options.

Dial jobs live in the ledger, not in the broker: a message only says "try attempt K of
job J now". Messages are acknowledged on receipt; one lost with a dead worker is sent
again by the dispatcher (``requeue_after_seconds``), and a message delivered twice
does nothing the second time because the job is claimed under its attempt key.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_shutdown

from callcenter.campaign.tasks import DIAL, DISPATCH, PLAN_MONTH, WorkerContext, register
from callcenter.kernel.errors import ConfigError
from callcenter.settings import Settings
from callcenter.transcription import tasks as transcription


def make_celery(settings: Settings, *, worker: bool = False) -> Celery:
    """The app; ``worker`` also ties the process's campaign runtime to worker shutdown."""
    c = settings.campaign
    try:
        hour, minute = (int(x) for x in c.plan_time.split(":"))
    except ValueError:
        raise ConfigError(f"campaign.plan_time {c.plan_time!r} is not HH:MM") from None
    app = Celery("callcenter", broker=c.broker_url, set_as_current=False)
    app.conf.update(
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone=c.timezone,
        enable_utc=True,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        worker_pool="threads",
        worker_concurrency=c.worker_threads,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # a dial must not wait behind a long queue of dispatches, nor the reverse
        task_default_priority=5,
        # every key kombu makes, broadcasts included, so sets sharing a Redis stay apart
        broker_transport_options={"global_keyprefix": c.broker_prefix} if c.broker_prefix else {},
        beat_schedule={
            "plan-month": {
                "task": PLAN_MONTH,
                "schedule": crontab(minute=minute, hour=hour, day_of_month=c.plan_day),
            },
            "dispatch": {"task": DISPATCH, "schedule": c.dispatch_interval_seconds},
        },
    )
    context = WorkerContext(settings, app)
    register(app, context)
    # on a queue of its own, served by `callcenter transcription worker`
    transcription_worker = transcription.register(app, settings)
    if worker:
        worker_shutdown.connect(lambda **_: context.stop(), weak=False)
        transcription.close_on_shutdown(transcription_worker)
    app.callcenter_context = context  # type: ignore[attr-defined]
    return app


__all__ = ["DIAL", "DISPATCH", "PLAN_MONTH", "make_celery"]
