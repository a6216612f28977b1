"""The Celery app is built from settings: broker, pool, beat's monthly plan and dispatch."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery.schedules import crontab

from callcenter.bootstrap import make_celery
from callcenter.campaign.tasks import DIAL, DISPATCH, PLAN_MONTH
from callcenter.settings import load_settings


def test_app_from_settings() -> None:
    settings = load_settings(
        campaign={
            "broker_url": "redis://127.0.0.1:6379/9",
            "broker_prefix": "yima:",
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
        assert conf.broker_transport_options == {"global_keyprefix": "yima:"}
        assert (conf.worker_pool, conf.worker_concurrency) == ("threads", 7)
        assert conf.timezone == "Asia/Shanghai" and conf.task_acks_late is False
        beat = conf.beat_schedule
        assert beat["plan-month"]["task"] == PLAN_MONTH
        assert beat["plan-month"]["schedule"] == crontab(minute=45, hour=7, day_of_month=2)
        assert (beat["dispatch"]["task"], beat["dispatch"]["schedule"]) == (DISPATCH, 5)
    finally:
        app.close()


def test_monthly_plan_task_samples_last_month_and_starts_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from callcenter import bootstrap
    from callcenter.campaign.service import previous_month
    from callcenter.campaign.store import CampaignStore
    from callcenter.cases.store import CaseImport
    from tests.campaign.fixtures import month_rows

    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        storage_root=tmp_path,
        campaign={"auto_start": True, "quota_bureau": 4, "quota_station": 2, "quota_window": 2},
    )
    this_month = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
    with bootstrap.open_ledger(settings) as ledger:
        spec = [("城区市场监管所", "station", 5, 1), ("政务服务中心市场监管窗口", "window", 5, 0)]
        CaseImport(ledger.sessions).write(month_rows(previous_month(this_month), spec))
    app = make_celery(settings)
    sent: list[str] = []
    monkeypatch.setattr(app.callcenter_context, "send_dispatch", lambda: sent.append("dispatch"))  # type: ignore[attr-defined]
    try:
        result = app.tasks[PLAN_MONTH]()
        again = app.tasks[PLAN_MONTH]()
    finally:
        app.close()
    assert result == {"month": f"{this_month:%Y-%m}", "created": True}
    assert again["created"] is False  # the month's plan is drawn once
    assert sent == ["dispatch", "dispatch"]
    with bootstrap.open_ledger(settings) as ledger:
        campaign = CampaignStore(ledger.sessions).campaign()
    assert campaign.state == "running" and campaign.summary["drawn"] == 4
    assert campaign.period_start == previous_month(this_month)


def test_monthly_plan_logs_days_the_calendar_does_not_know(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from callcenter import bootstrap
    from callcenter.kernel.clock import FixedClock

    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}", storage_root=tmp_path
    )
    clock = FixedClock(datetime(2099, 2, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    with caplog.at_level("WARNING", logger="callcenter.bootstrap"):
        assert bootstrap.plan_month(settings, clock) == ("2099-02", True)
    assert [r.getMessage() for r in caplog.records] == [
        "campaign 2099-02: the calendar does not know 28 days of 2099-02 (2099-02-01 … "
        "2099-02-28): the dialler will pause the campaign on them; add the State Council's "
        "2099 holidays in a holiday file (campaign.calendar_files)"
    ]
