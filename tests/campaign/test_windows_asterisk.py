"""Calling windows and holidays with real calls: the clock is injected, the calls are real
(PJSIP trunk to the simulated applicants, RTP, RFC 4733 keys), the slots are in Redis.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from callcenter import bootstrap
from callcenter.calls.store import Ledger
from callcenter.campaign.dialer import Dialer, DialRules
from callcenter.campaign.pacing import RedisSlots, slots_key
from callcenter.campaign.store import CampaignStore
from callcenter.cases.store import CaseImport
from callcenter.kernel.clock import FixedClock
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.campaign.fixtures import SH, make_service, month_rows
from tests.sandbox_fixtures import e2e_settings

pytestmark = [pytest.mark.asterisk, pytest.mark.redis]

BASE = 13650000000
BEHAVIOURS = {
    BASE + 1: "answer/b2",  # refuses at the consent question
    BASE + 2: "busy",  # busy first; answers (and refuses) on the retry
    BASE + 3: "answer/b1/b1/b1/b1/b1/b1/b2/b2/h",  # a complete interview
}


async def trunk_legs(ari: AriClient, key: str) -> list[str]:
    """Our outbound legs to the trunk: their channel ids are the campaign's attempt keys
    (other tests may share the sandbox)."""
    return [
        c["id"]
        for c in await ari.channels()
        if c["name"].startswith("PJSIP/trunk-") and c["id"].startswith(key + "-")
    ]


@pytest.fixture
async def world(
    sandbox: Settings, tmp_path: Path, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Settings, Ledger, FixedClock, Dialer, list[tuple[int, str]]]]:
    settings = e2e_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        ari={"app": f"campaign-windows-{os.getpid()}"},
        campaign={"broker_url": redis_url, "key_prefix": redis_prefix, "retry_gap_seconds": 7200},
    )
    clock = FixedClock(datetime(2026, 9, 30, 18, 0, tzinfo=SH))
    with bootstrap.open_ledger(settings) as ledger:
        spec = [("城区市场监管所", "station", 3, 0)]
        CaseImport(ledger.sessions).write(month_rows(date(2026, 9, 1), spec, BASE))
        service = make_service(ledger, clock, quota_bureau=0, quota_station=3)
        service.start(service.plan("2026-10", seed=4).campaign.month)
        async with AriClient(sandbox.ari) as ari:
            for number, behaviour in BEHAVIOURS.items():
                await simulator.program(ari, str(number), behaviour)
        redis = Redis.from_url(redis_url)
        slots = RedisSlots(redis, slots_key(redis_prefix, "trunk"), 3, 10)
        sent: list[tuple[int, str]] = []
        async with bootstrap.controller(settings, ledger, slots, clock) as ctl:
            dialer = Dialer(
                CampaignStore(ledger.sessions),
                ledger,
                ctl,
                slots,
                DialRules.from_settings(settings.campaign),
                clock=clock,
                enqueue=lambda job_id, key: sent.append((job_id, key)),
                prerender=ctl.render_prompts,
            )
            yield settings, ledger, clock, dialer, sent
        await slots.close()
        await redis.aclose()


async def test_holiday_and_lunch_hold_calls_until_the_next_allowed_slot(world) -> None:  # type: ignore[no-untyped-def]
    settings, ledger, clock, dialer, sent = world
    store = dialer.store
    key = store.campaign("2026-10").key
    async with AriClient(settings.ari) as ari:
        clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=SH))  # 国庆节
        report = await dialer.dispatch()
        assert (report.queued, report.blocked) == (0, "法定节假日（国庆节）")
        assert report.next_allowed == datetime(2026, 10, 8, 9, 0, tzinfo=SH)
        # a task that arrives anyway (sent before the holiday, say) places nothing
        job = store.due_jobs(clock.now(), 1)[0]
        store.mark_queued(job.id, job.attempt_key, clock.now())
        late = await dialer.dial(job.id, job.attempt_key)
        assert late.status == "released" and late.note == "法定节假日（国庆节）"
        assert ledger.unfinished_attempts() == []
        assert LedgerReader(ledger.sessions).taizhang() == []
        # put back, due at the next allowed moment
        assert job.id not in {
            j.id for j in store.due_jobs(datetime(2026, 10, 8, 8, 59, tzinfo=SH), 5)
        }
        assert job.id in {j.id for j in store.due_jobs(datetime(2026, 10, 8, 9, 0, tzinfo=SH), 5)}

        clock.set(datetime(2026, 10, 8, 8, 59, tzinfo=SH))
        assert (await dialer.dispatch()).blocked == "不在回访时段（09:00-11:30、14:30-17:30）"

        clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SH))
        assert (await dialer.dispatch()).queued == 3
        seen_up = 0

        async def watch() -> None:
            nonlocal seen_up
            while True:
                seen_up = max(seen_up, len(await trunk_legs(ari, key)))
                await asyncio.sleep(0.2)

        watcher = asyncio.create_task(watch())
        reports = await asyncio.gather(*(dialer.dial(j, k) for j, k in sent))
        watcher.cancel()
        sent.clear()
        outcomes = {r.outcome.value for r in reports if r.outcome is not None}
        assert outcomes == {"refused", "busy", "answered_complete"}, reports
        assert seen_up >= 2  # real legs to the trunk, more than one at once
        rows = {r.case.phone: r for r in store.sample("2026-10")}
        busy = rows[str(BASE + 2)]
        assert (busy.job_state, busy.attempts, busy.last_outcome) == ("pending", 1, "busy")

        # the retry is due two hours later: 11:00, still inside the morning window
        await simulator.program(ari, str(BASE + 2), "answer/b2")
        clock.set(datetime(2026, 10, 8, 10, 59, tzinfo=SH))
        assert (await dialer.dispatch()).queued == 0
        clock.set(datetime(2026, 10, 8, 11, 0, tzinfo=SH))
        assert (await dialer.dispatch()).queued == 1
        (retry,) = await asyncio.gather(*(dialer.dial(j, k) for j, k in sent))
        assert retry.outcome is not None and retry.outcome.value == "refused"
        assert retry.key.endswith("-2")
        rows = {r.case.phone: r for r in store.sample("2026-10")}
        assert {p: (r.job_result, r.attempts) for p, r in rows.items()} == {
            str(BASE + 1): ("refused", 1),
            str(BASE + 2): ("refused", 2),
            str(BASE + 3): ("completed", 1),
        }
        assert len(LedgerReader(ledger.sessions).taizhang()) == 4
        assert await trunk_legs(ari, key) == []
