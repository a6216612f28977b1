"""A month of completed cases in the ledger, and the campaign service over it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.service import CampaignService
from callcenter.campaign.store import CampaignStore
from callcenter.cases.store import CaseImport, CaseRow
from callcenter.kernel.clock import FixedClock

SH = ZoneInfo("Asia/Shanghai")
BUREAU = "义马市市场监督管理局"
# (unit, kind, cases in October 2026, of which complaints)
OCTOBER = [
    ("政务服务中心市场监管窗口", "window", 150, 4),
    ("城区市场监管所", "station", 120, 3),
    ("千秋市场监管所", "station", 20, 2),
    ("东区市场监管所", "station", 180, 0),
    (BUREAU, "bureau", 30, 1),
]


def month_rows(
    first: date = date(2026, 10, 1),
    spec: list[tuple[str, str, int, int]] = OCTOBER,
    base: int = 13800000000,
) -> list[CaseRow]:
    rows, n = [], 0
    for unit, kind, count, complaints in spec:
        for i in range(count):
            n += 1
            rows.append(
                CaseRow(
                    case_no=f"YM{first:%Y%m}{n:05d}",
                    bureau=BUREAU,
                    unit=unit,
                    unit_kind=kind,
                    matter="个体工商户设立登记",
                    applicant_name="王伟",
                    title="先生",
                    org="",
                    phone=str(base + n),
                    completed_on=first.replace(day=1 + i % 28),
                    is_complaint=i < complaints,
                )
            )
    return rows


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 30, tzinfo=SH))


@pytest.fixture
def october(ledger: Ledger) -> list[CaseRow]:
    rows = month_rows()
    CaseImport(ledger.sessions).write(rows)
    # cases of the month after must not be drawn for November's calls
    CaseImport(ledger.sessions).write(month_rows(date(2026, 11, 1), OCTOBER[:1], 13900000000))
    return rows


def make_service(ledger: Ledger, clock: FixedClock, **overrides: object) -> CampaignService:
    settings = CampaignSettings(**overrides)  # type: ignore[arg-type]
    return CampaignService(
        CampaignStore(ledger.sessions), settings, CallingCalendar.from_settings(settings), clock
    )


@pytest.fixture
def service(ledger: Ledger, clock: FixedClock) -> Iterator[CampaignService]:
    yield make_service(ledger, clock)


REDIS_URL_ENV = "CALLCENTER_TEST_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def delete_prefixed(url: str, prefix: str) -> None:
    """Remove every key under ``prefix``: test runs share the Redis, never flush it."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def redis_url() -> str:
    """URL of the test Redis; fails with the reason if it does not answer."""
    import os

    import redis

    url = os.environ.get(REDIS_URL_ENV, DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis at {url} is unreachable: {exc}. Start it (make services) or set {REDIS_URL_ENV}.",
            pytrace=False,
        )
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own (other runs may use the same Redis at once)."""
    import uuid

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    delete_prefixed(redis_url, prefix)
