"""A day the calendar does not know pauses the running campaigns, with the reason in
``campaign status``, instead of raising in the middle of dispatching or dialling."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from callcenter.calls.store import Ledger
from callcenter.campaign.status import campaign_status
from callcenter.campaign.tables import DialJob
from callcenter.cases.store import CaseImport
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import FixedClock
from tests.campaign.fixtures import SH, month_rows
from tests.campaign.test_dialer import SMALL, Harness

MADE_UP_2099 = Path(__file__).resolve().parents[1] / "fixtures" / "calendars" / "2099.yaml"
# known to the calendar only through this setting, so the day after it is not
LAST_KNOWN = date(2098, 12, 31)


def make(ledger: Ledger, clock: FixedClock, **overrides: object) -> Harness:
    return Harness(
        ledger, clock, quota_bureau=0, quota_station=10, extra_workdays=[LAST_KNOWN], **overrides
    )


@pytest.fixture
def harness(ledger: Ledger, clock: FixedClock) -> Harness:
    CaseImport(ledger.sessions).write(month_rows(spec=SMALL))
    h = make(ledger, clock)
    h.service.start(h.service.plan("2026-11", seed=1).campaign.month)
    return h


async def test_dispatch_on_an_unknown_day_pauses_and_says_why(
    harness: Harness, ledger: Ledger, clock: FixedClock
) -> None:
    clock.set(datetime(2099, 1, 5, 10, 0, tzinfo=SH))  # a Monday of a year nobody published
    report = await harness.dialer.dispatch()
    assert report.queued == 0 and harness.sent == []
    assert report.blocked is not None
    assert report.blocked.startswith("no holiday data for 2099-01-05: ")
    status = campaign_status(harness.store, "2026-11")
    assert (status.state, status.pause_reason) == ("paused", report.blocked)
    assert status.as_dict()["pause_reason"] == report.blocked

    # the year is added, the operator resumes: the reason goes, the calls are placed
    fixed = make(ledger, clock, calendar_files=[MADE_UP_2099])
    fixed.service.resume("2026-11")
    status = campaign_status(fixed.store, "2026-11")
    assert (status.state, status.pause_reason) == ("running", None)
    assert await fixed.round() == 10


async def test_a_dial_task_on_an_unknown_day_is_put_back(
    harness: Harness, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    await harness.dialer.dispatch()
    job_id, key = harness.sent[0]
    clock.set(datetime(2099, 1, 5, 10, 0, tzinfo=SH))  # the task is picked up much later
    report = await harness.dialer.dial(job_id, key)
    assert report.status == "released" and report.note.startswith("no holiday data for 2099")
    assert harness.caller.placed == []
    assert campaign_status(harness.store, "2026-11").state == "paused"


async def test_a_retry_falling_on_an_unknown_day_is_recorded_and_pauses(
    harness: Harness, ledger: Ledger, clock: FixedClock
) -> None:
    busy = harness.store.sample("2026-11")[0].case.phone
    harness.caller.outcomes = {busy: [Outcome.BUSY]}
    # the last calling hour the calendar knows: the retry two hours later is past the
    # window, and the next working moment would be in the unknown year
    clock.set(datetime(2098, 12, 31, 17, 0, tzinfo=SH))
    sent = await harness.round()
    assert sent == 10
    with ledger.sessions() as s:
        job = s.execute(select(DialJob).where(DialJob.phone == busy)).scalar_one()
    # the call is in the books, due again as the policy said, and waits for the calendar
    assert (job.state, job.attempts, job.last_outcome) == ("pending", 1, "busy")
    assert job.due_at == datetime(2098, 12, 31, 19, 0, tzinfo=SH)
    status = campaign_status(harness.store, "2026-11")
    assert status.state == "paused"
    assert status.pause_reason is not None
    assert status.pause_reason.startswith("no holiday data for 2099-01-01: ")
