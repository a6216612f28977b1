"""The agent screen in headless Chromium, on a real takeover: the case and the answers
appear while the agent's softphone rings, and the note typed there lands in the 台账.

Everything runs in the test's event loop: the controller, the softphone, the web
application and Playwright's async API driving Debian's Chromium.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright, expect

from callcenter import bootstrap
from callcenter.access.accounts import Accounts
from callcenter.access.passwords import hash_password
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.entrypoints.web import create_app
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.sandbox import simulator
from tests.agents.phones import STATION, add_case, agent_phone, phone_number
from tests.sandbox_fixtures import e2e_settings

pytestmark = [pytest.mark.asterisk, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_PASSWORD = "agent-web-password-1"


@pytest.fixture(scope="module")
def settings(sandbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("screen") / "ledger.db"
    return e2e_settings(database_url=f"sqlite:///{db}", agents={"ring_timeout": 30})


@pytest.fixture(scope="module")
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; run `bash scripts/apt-deps.sh`", pytrace=False)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()


async def log_in(page: Page, name: str) -> None:
    await page.goto("/login")
    await page.get_by_label("用户名").fill(name)
    await page.get_by_label("密码").fill(WEB_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.locator(".who .user")).to_contain_text(name)


async def test_screen_shows_the_call_while_the_phone_rings_and_the_note_lands_in_the_ledger(
    settings: Settings, ledger: Ledger, tmp_path: Path, browser: Browser, site: str
) -> None:
    async with agent_phone(settings, ledger, tmp_path, auto_answer=False, name="李娜") as phone:
        Accounts(ledger.sessions).add_user(phone.login, "agent", hash_password(WEB_PASSWORD))
        context = await browser.new_context(base_url=site, locale="zh-CN")
        page = await context.new_page()
        await log_in(page, phone.login)
        await page.goto("/agent")
        await expect(page.locator("#no-takeover")).to_be_visible()
        await expect(page.locator("body")).to_have_attribute("data-live", "connected")

        async with bootstrap.controller(settings, ledger) as ctl:
            case = add_case(ledger, phone_number(), name="赵敏")
            await simulator.program(ctl.ari, case.phone, "answer/b1/b4")
            attempt_id = f"screen-{case.case_id}-{time.monotonic_ns()}"
            call = asyncio.create_task(ctl.call(case, attempt_id=attempt_id))

            # the phone rings; the screen shows who calls, the case, the answers, the rule
            await phone.wait_for("CALL_INCOMING", timeout=30)
            panel = page.locator("#takeover")
            await expect(panel).to_be_visible(timeout=5000)
            await expect(page.locator("#tk-state")).to_have_text("来电振铃中")
            await expect(page.locator("#tk-applicant")).to_have_text("赵敏先生")
            await expect(page.locator("#tk-unit")).to_have_text(STATION)
            await expect(page.locator("#tk-matter")).to_have_text("个体工商户设立登记")
            await expect(page.locator("#tk-date")).to_have_text("2026-10-09")
            await expect(page.locator("#tk-rule")).to_have_text("满意度评分较低")
            answers = page.locator("#tk-answers li")
            await expect(answers).to_have_count(2)
            await expect(answers.nth(1)).to_have_text("服务环境：不太满意")
            await expect(page.locator("#tk-phone")).to_contain_text("****")
            assert phone.seen("CALL_ESTABLISHED") == []  # all this while it was ringing

            # the agent picks up, talks, and writes down what came of it
            await phone.accept()
            await expect(page.locator("#tk-state")).to_have_text("通话中")
            await expect(page.locator("#tk-form")).to_be_visible()
            await page.get_by_label("处理结果").select_option("follow_up")
            await page.get_by_label("备注（记入台账）").fill("申请人反映排队太久，已转窗口负责人")
            await page.get_by_role("button", name="保存处理结果").click()
            await expect(page.locator("#saved")).to_be_visible()
            await phone.hangup()
            result = await asyncio.wait_for(call, 30)
        await context.close()

    assert result.outcome.value == "transferred"
    [takeover] = TakeoverLog(ledger.sessions).for_attempt(attempt_id)
    assert (takeover.agent_login, takeover.outcome) == (phone.login, "follow_up")
    [row] = LedgerReader(ledger.sessions).taizhang(attempt_ids=[attempt_id])
    assert row.remark.endswith("坐席记录：转办件单位跟进，申请人反映排队太久，已转窗口负责人")
