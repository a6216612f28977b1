"""The Celery app is built from settings: broker, pool, beat's monthly plan and dispatch."""

from __future__ import annotations

from celery.schedules import crontab

from callcenter.settings import load_settings
from callcenter.tasks.celery_app import DIAL, DISPATCH, PLAN_MONTH, make_celery


def test_app_from_settings() -> None:
    settings = load_settings(
        campaign={
            "broker_url": "redis://127.0.0.1:6379/9",
            "worker_threads": 7,
            "plan_day": 2,
            "plan_time": "07:45",
            "dispatch_interval_seconds": 5,
        }
    )
    app = make_celery(settings)
    try:
        assert {DIAL, DISPATCH, PLAN_MONTH} <= set(app.tasks)
        conf = app.conf
        assert conf.broker_url == "redis://127.0.0.1:6379/9"
        assert (conf.worker_pool, conf.worker_concurrency) == ("threads", 7)
        assert conf.timezone == "Asia/Shanghai" and conf.task_acks_late is False
        beat = conf.beat_schedule
        assert beat["plan-month"]["task"] == PLAN_MONTH
        assert beat["plan-month"]["schedule"] == crontab(minute=45, hour=7, day_of_month=2)
        assert (beat["dispatch"]["task"], beat["dispatch"]["schedule"]) == (DISPATCH, 5)
    finally:
        app.close()
