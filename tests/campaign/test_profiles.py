"""Campaigns planned by a profile: 信阳's 25th-to-25th cycle called in full in 次月上旬,
许昌's enforcement cases, 烟台's daily campaign of the previous working day (planned by
beat once a day, never twice)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab

from callcenter import bootstrap
from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.service import CampaignService
from callcenter.campaign.store import CampaignStore
from callcenter.campaign.tasks import PLAN_MONTH
from callcenter.cases.store import CaseImport, CaseRow
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import CampaignError
from callcenter.kernel.paths import PROJECT_ROOT
from callcenter.profiles.loader import profile_named
from callcenter.settings import load_settings

SH = ZoneInfo("Asia/Shanghai")
PROFILES = PROJECT_ROOT / "profiles"


def case(
    n: int, completed: date, unit: str = "建筑市场监管科", matter: str = "施工许可"
) -> CaseRow:
    return CaseRow(
        case_no=f"C{n:04d}", bureau="局", unit=unit, unit_kind="bureau", matter=matter,
        applicant_name="李华", title="", org=f"企业{n}", phone=f"1390000{n:04d}",
        completed_on=completed, is_complaint=False,
    )  # fmt: skip


def service(ledger: Ledger, at: datetime, name: str, script: str | None = None) -> CampaignService:
    profile = profile_named(PROFILES, name)
    settings = CampaignSettings()
    calendar = CallingCalendar.from_settings(settings, profile.cycle.call_days)
    return CampaignService(
        CampaignStore(ledger.sessions), settings, calendar, FixedClock(at), profile, script
    )


def test_xinyang_calls_every_enterprise_of_the_cycle_from_the_first(ledger: Ledger) -> None:
    days = [date(2026, 10, 25), date(2026, 10, 26), date(2026, 11, 10), date(2026, 11, 25),
            date(2026, 11, 26), date(2026, 12, 1)]  # fmt: skip
    CaseImport(ledger.sessions).write([case(n, d) for n, d in enumerate(days)])
    # planned on 28 November for December's calls
    s = service(
        ledger, datetime(2026, 11, 28, 9, 0, tzinfo=SH), "xinyang", "xinyang_enterprise_followup"
    )
    plan = s.plan("2026-12", seed=1)
    assert (plan.campaign.period_start, plan.campaign.period_end) == (
        date(2026, 10, 26),
        date(2026, 11, 26),
    )
    rows = CampaignStore(ledger.sessions).sample("2026-12")
    # 26 Oct up to and including 25 Nov, every one of them (100 %, no draw)
    assert [r.case.completed_on for r in rows] == days[1:4]
    assert {r.reason for r in rows} == {"all"}
    assert plan.campaign.summary["profile"] == "xinyang"
    assert plan.campaign.summary["rules"]["sampling"] == "all"
    s.start("2026-12")
    store = CampaignStore(ledger.sessions)
    # due from 1 December (次月上旬), not at planning time, with 信阳's script
    assert store.due_jobs(datetime(2026, 11, 30, 23, 59, tzinfo=SH), 10) == []
    jobs = store.due_jobs(datetime(2026, 12, 1, tzinfo=SH), 10)
    assert len(jobs) == 3 and {j.script for j in jobs} == {"xinyang_enterprise_followup"}
    # the dialler calls from the 1st to the 10th only
    assert s.calendar.allowed(datetime(2026, 12, 10, 9, 30, tzinfo=SH))
    assert s.calendar.why_not(datetime(2026, 12, 11, 9, 30, tzinfo=SH)) == (
        "不在回访日期（每月1日至10日）"
    )


def test_xuchang_calls_the_enforcement_cases_of_the_month(ledger: Ledger) -> None:
    CaseImport(ledger.sessions).write(
        [
            case(1, date(2026, 11, 3), "执法稽查科", "行政处罚决定"),
            case(2, date(2026, 11, 4), "政务服务科", "食品经营行政许可"),
            case(3, date(2026, 11, 5), "政务服务科", "营业执照遗失补领"),
        ]
    )
    plan = service(ledger, datetime(2026, 12, 1, 9, 0, tzinfo=SH), "xuchang").plan("2026-12")
    rows = CampaignStore(ledger.sessions).sample(plan.campaign.month)
    assert sorted(r.case.case_no for r in rows) == ["C0001", "C0002"]


def test_yantai_plans_the_previous_working_day_once(ledger: Ledger) -> None:
    # Thursday 9 October 2025, after the 国庆 holiday (1-8 October)
    served = [date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 3), date(2025, 10, 9)]
    CaseImport(ledger.sessions).write([case(n, d) for n, d in enumerate(served)])
    s = service(ledger, datetime(2025, 10, 9, 8, 30, tzinfo=SH), "yantai")
    assert s.due_cycle() == "2025-10-09"
    plan = s.plan()
    assert plan.created and plan.campaign.month == "2025-10-09"
    assert (plan.campaign.period_start, plan.campaign.period_end) == (
        date(2025, 9, 30),
        date(2025, 10, 9),
    )
    rows = CampaignStore(ledger.sessions).sample("2025-10-09")
    assert sorted(r.case.completed_on for r in rows) == [date(2025, 9, 30), date(2025, 10, 3)]
    again = s.plan()
    assert not again.created and again.campaign.id == plan.campaign.id
    assert len(CampaignStore(ledger.sessions).sample("2025-10-09")) == 2


def test_yantai_plans_nothing_on_a_day_off(ledger: Ledger) -> None:
    s = service(ledger, datetime(2025, 10, 12, 8, 30, tzinfo=SH), "yantai")  # a Sunday
    assert s.due_cycle() is None
    with pytest.raises(CampaignError, match=r"2025-10-12 is not a working day \(周末\)"):
        s.plan("2025-10-12")
    # the 调休 Saturday before it is worked: its campaign calls Friday's clients
    saturday = service(ledger, datetime(2025, 10, 11, 8, 30, tzinfo=SH), "yantai")
    assert saturday.due_cycle() == "2025-10-11"
    assert saturday.plan().campaign.period_start == date(2025, 10, 10)


def test_daily_beat_entry_plans_each_working_day_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}", storage_root=tmp_path, profile="yantai"
    )
    clock = FixedClock(datetime(2025, 10, 13, 8, 30, tzinfo=SH))  # Monday after a 调休 Saturday
    with bootstrap.open_ledger(settings) as ledger:
        CaseImport(ledger.sessions).write(
            [case(1, date(2025, 10, 10)), case(2, date(2025, 10, 11))]
        )
    app = bootstrap.make_celery(settings, clock=clock)
    monkeypatch.setattr(app.callcenter_context, "send_dispatch", lambda: None)  # type: ignore[attr-defined]
    try:
        beat = app.conf.beat_schedule
        assert "plan-month" not in beat
        assert beat["plan-day"]["task"] == PLAN_MONTH
        assert beat["plan-day"]["schedule"] == crontab(minute=30, hour=8)
        first = app.tasks[PLAN_MONTH]()
        again = app.tasks[PLAN_MONTH]()
        clock.set(datetime(2025, 10, 12, 8, 30, tzinfo=SH))  # the Sunday before: nothing
        sunday = app.tasks[PLAN_MONTH]()
    finally:
        app.close()
    assert first == {"month": "2025-10-13", "created": True}
    assert again == {"month": "2025-10-13", "created": False}
    assert sunday == {"month": "", "created": False}
    with bootstrap.open_ledger(settings) as ledger:
        store = CampaignStore(ledger.sessions)
        assert [c.month for c in store.campaigns()] == ["2025-10-13"]
        assert [r.case.case_no for r in store.sample("2025-10-13")] == ["C0002"]
