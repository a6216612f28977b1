"""The supervisors' page of the set's health in headless Chromium: a server that beats is
up with its calls and limit, one that does not is shown lost; the workers' leases and the
lag behind due jobs are listed; an agent is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from redis.asyncio import Redis
from sqlalchemy import Engine

from callcenter.calls.leases import Leases
from callcenter.calls.servers import ServerBeacons
from callcenter.campaign.pacing import RedisSlots, slots_key
from callcenter.cluster.parts import server_slots_key
from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from tests.reports.test_browser import CHROMIUM, CHROMIUM_ARGS, log_in
from tests.web.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.redis]

SERVERS = [
    {"name": "jn-a", "ari": {"url": "http://10.1.0.1:8088"}, "max_concurrent": 3},
    {"name": "jn-b", "ari": {"url": "http://10.1.0.2:8088"}, "max_concurrent": 2},
]


async def world(settings: Settings, redis_url: str) -> None:
    """Server jn-a beats and carries a call; jn-b has gone quiet."""
    redis = Redis.from_url(redis_url)
    prefix = settings.campaign.key_prefix
    await ServerBeacons(redis, prefix, 60).beat("jn-a", "cc-w1")
    # the call holds its server's slot and its trunk's, as ``ServerSlots`` takes them
    for key, limit in ((server_slots_key(prefix, "jn-a"), 3), (slots_key(prefix, "trunk"), 5)):
        await RedisSlots(redis, key, limit, lease_seconds=60)._take("call-1", None)
    await redis.aclose()


@pytest.fixture
def page(
    web_settings: Settings,
    web_engine: Engine,
    users: dict[str, tuple[str, str]],
    redis_url: str,
    redis_prefix: str,
) -> Iterator[Page]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`")
    now = datetime.now(UTC)
    settings = web_settings.model_copy(
        update={
            "cluster": web_settings.cluster.model_validate({"servers": SERVERS}),
            "campaign": web_settings.campaign.model_copy(
                update={"broker_url": redis_url, "key_prefix": redis_prefix}
            ),
        }
    )
    asyncio.run(world(settings, redis_url))
    Leases(session_factory(web_engine)).renew("cc-w1", 30, now, "jn-a-host", 4242)
    app = create_app(settings, engine=web_engine, clock=FixedClock(now))
    with LiveServer(app) as live, sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=live.url, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def test_a_supervisor_sees_which_server_is_lost(page: Page, tmp_path: Path) -> None:
    log_in(page, "supervisor")
    page.get_by_role("link", name="系统状态").click()
    a = page.locator('#servers tr[data-server="jn-a"]')
    b = page.locator('#servers tr[data-server="jn-b"]')
    expect(a).to_contain_text("正常")
    expect(a).to_contain_text("1/3")
    expect(b).to_contain_text("失联")
    expect(b).to_contain_text("0/2")
    expect(page.locator("#workers")).to_contain_text("cc-w1")
    expect(page.locator("#workers")).to_contain_text("jn-a-host")
    expect(page.locator("#trunks")).to_contain_text("1/5")
    expect(page.locator("#lag")).to_contain_text("到期未派发 0 个")
    page.screenshot(path=str(tmp_path / "system.png"), full_page=True)


def test_an_agent_is_refused(page: Page) -> None:
    log_in(page, "agent")
    expect(page.get_by_role("link", name="系统状态")).to_have_count(0)
    response = page.goto("/system")
    assert response is not None and response.status == 403
