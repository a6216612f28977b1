"""Planning a month on the real ledger: quotas met, complaints 100 %, the audit trail."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from callcenter.calls.store import Ledger
from callcenter.campaign.service import CampaignService
from callcenter.campaign.status import campaign_status
from callcenter.campaign.store import CampaignStore
from callcenter.cases.store import CaseRow
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import CampaignError
from tests.campaign.fixtures import make_service


def test_plan_meets_quotas_and_calls_every_complaint(
    service: CampaignService, october: list[CaseRow], ledger: Ledger
) -> None:
    plan = service.plan("2026-11", seed=20261101)
    assert plan.created and plan.campaign.state == "planned"
    assert (plan.campaign.period_start, plan.campaign.period_end) == (
        date(2026, 10, 1),
        date(2026, 11, 1),
    )
    rows = CampaignStore(ledger.sessions).sample("2026-11")
    assert len(rows) == plan.campaign.summary["drawn"] >= 300
    assert all(r.case.completed_on.month == 10 for r in rows)
    complaints = {c.case_no for c in october if c.is_complaint}
    drawn = {r.case.case_no: r for r in rows}
    assert complaints <= set(drawn)
    assert {drawn[c].reason for c in complaints} == {"complaint"}
    per_unit = Counter(r.case.unit for r in rows)
    assert per_unit["政务服务中心市场监管窗口"] >= 30
    assert per_unit["城区市场监管所"] >= 30 and per_unit["东区市场监管所"] >= 30
    assert per_unit["千秋市场监管所"] == 20  # all it had
    units = {u["unit"]: u for u in plan.campaign.summary["units"]}
    assert units["千秋市场监管所"]["shortfall"] == 10
    assert plan.campaign.summary["bureau_shortfall"] == 0
    assert plan.campaign.seed == 20261101
    assert all(r.job_state == "pending" and r.attempts == 0 for r in rows)


def test_same_seed_draws_the_same_sample(
    ledger: Ledger, october: list[CaseRow], clock: FixedClock
) -> None:
    service = make_service(ledger, clock)
    first = [
        r.case.case_no
        for r in CampaignStore(ledger.sessions).sample(
            service.plan("2026-11", seed=5).campaign.month
        )
    ]
    again = service.plan("2026-11", seed=5, redraw=True)
    assert again.created
    assert [r.case.case_no for r in CampaignStore(ledger.sessions).sample("2026-11")] == first


def test_plan_is_kept_once_made(service: CampaignService, october: list[CaseRow]) -> None:
    made = service.plan("2026-11", seed=1)
    shown = service.plan("2026-11")
    assert not shown.created and shown.campaign.id == made.campaign.id


def test_do_not_call_and_recently_called_are_left_out(
    ledger: Ledger, october: list[CaseRow], clock: FixedClock
) -> None:
    store = CampaignStore(ledger.sessions)
    complaint = next(c for c in october if c.is_complaint)
    store.add_do_not_call(complaint.phone, "本人要求不再回访", clock.now())
    # someone of 城区 was called 10 days ago about another matter
    recent = next(c for c in october if c.unit == "城区市场监管所" and not c.is_complaint)
    case_id = ledger.find_case(recent.case_no)
    ledger.start_attempt("earlier-call", case_id, "yima", clock.now() - timedelta(days=10))
    service = make_service(ledger, clock, quota_bureau=0, quota_station=200, quota_window=0)
    plan = service.plan("2026-11", seed=3)
    drawn = {r.case.case_no for r in store.sample("2026-11")}
    assert complaint.case_no not in drawn and recent.case_no not in drawn
    assert plan.campaign.summary["excluded"] == {"do_not_call": 1, "recently_called": 1}


def test_start_pause_resume_and_status(
    service: CampaignService, october: list[CaseRow], ledger: Ledger
) -> None:
    service.plan("2026-11", seed=9)
    with pytest.raises(CampaignError, match="2026-11 is planned; cannot make it paused"):
        service.pause("2026-11")
    assert service.start().state == "running"
    assert service.pause().state == "paused"
    assert service.resume().state == "running"
    with pytest.raises(CampaignError, match="only a plan not started"):
        service.plan("2026-11", redraw=True)
    status = campaign_status(CampaignStore(ledger.sessions))
    assert status.month == "2026-11" and status.total >= 300
    assert status.remaining == status.total and status.dialled == status.answered == 0
    data = status.as_dict()
    assert data["period_start"] == "2026-10-01" and data["done"] == 0


def test_unknown_month_is_named(service: CampaignService) -> None:
    with pytest.raises(CampaignError, match="'2026-13' is not YYYY-MM"):
        service.plan("2026-13")
    with pytest.raises(CampaignError, match="no campaign for 2026-05"):
        service.start("2026-05")
