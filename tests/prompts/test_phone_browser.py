"""The prompts page's new controls in headless Chromium (marked ``browser``): the cases'
unit and matter names listed and recordable, the phone form offering the supervisor's
own phone; and, on the real Asterisk sandbox too (marked ``asterisk``), a prompt
recorded by phone from the page: the page follows the call until the take is a version
waiting for approval, which the supervisor then gives."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from callcenter.agents.roster import AgentRoster
from callcenter.calls.store import Ledger
from callcenter.entrypoints.web import create_app
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.sandbox import simulator
from tests.agents.phones import phone_number
from tests.prompts.sounds import PHONE_TESTS, spoken_sound
from tests.reports.test_browser import CHROMIUM, CHROMIUM_ARGS, log_in
from tests.sandbox_fixtures import e2e_settings
from tests.transcription.conftest import whisper_model_dir
from tests.web.fixtures import USERS
from tests.web.live import LiveServer

pytestmark = pytest.mark.browser

STATION, MATTER = "城区市场监管所", "个体工商户设立登记"
TEXT = "非常感谢您的支持！"  # yima_phone_followup, consent_thanks
PROMPT_PAGE = "/prompts/yima_phone_followup/consent_thanks"


def _browse(settings: Settings, engine: Engine) -> Iterator[Page]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`")
    whisper_model_dir()  # made once, outside the page's time limits
    with LiveServer(create_app(settings, engine=engine)) as live, sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live.url, locale="zh-CN")
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(live.url) else route.abort()
            ),
        )
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def page(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> Iterator[Page]:
    yield from _browse(web_settings, web_engine)


def test_unit_and_matter_names_are_listed_and_the_phone_form_offers_my_phone(
    page: Page, web_engine: Engine
) -> None:
    ledger = Ledger(session_factory(web_engine))
    ledger.upsert_unit(STATION, "station")
    ledger.add_case("PART-1", STATION, "王伟", "13900000001", MATTER, date(2026, 10, 9))
    supervisor = USERS["supervisor"][0]
    AgentRoster(session_factory(web_engine)).add(
        supervisor, "纪委", "0" * 32, "callcenter", "supervisor"
    )

    log_in(page, "supervisor")
    page.goto("/prompts")
    parts = page.locator("#parts")
    expect(parts.locator(f'tr[data-part="{STATION}"] td').first).to_have_text("单位名称")
    expect(parts.locator(f'tr[data-part="{MATTER}"] td').first).to_have_text("事项名称")
    expect(parts.locator(f'tr[data-part="{STATION}"] .source')).to_have_text("espeak-pinyin")

    parts.get_by_role("link", name=STATION).click()
    expect(page.locator("h1")).to_contain_text(f"单位名称 · {STATION}")
    expect(page.locator("#text")).to_have_text(STATION)
    # recordable both ways; the supervisor's own phone is offered
    expect(page.get_by_label("录音文件（WAV 或 MP3）")).to_be_visible()
    expect(page.get_by_label("话机（分机登录名或电话号码）")).to_have_value(supervisor)
    expect(page.get_by_role("button", name="呼叫我的话机录音")).to_be_enabled()

    page.goto(PROMPT_PAGE)
    number = page.get_by_label("话机（分机登录名或电话号码）")
    number.fill("not a phone!")
    page.get_by_role("button", name="呼叫我的话机录音").click()
    expect(page.locator(".error")).to_contain_text("未能呼叫话机")
    expect(page.locator(".error")).to_contain_text("neither a telephone number")
    expect(number).to_have_value("not a phone!")


@pytest.fixture
def phone_settings(sandbox: Settings, web_settings: Settings) -> Iterator[Settings]:
    # the storage the sandbox's Asterisk reads (it plays the takes back), a folder of this
    # test's own in it: what is approved here is never played by another test
    storage = PHONE_TESTS / uuid.uuid4().hex[:12]
    e2e = e2e_settings()
    yield web_settings.model_copy(
        update={
            "storage_root": storage,
            "ari": e2e.ari,
            "prompts": web_settings.prompts.model_copy(
                update={"phone_app": f"callcenter-prompts-web-{os.getpid()}"}
            ),
        }
    )
    shutil.rmtree(storage, ignore_errors=True)


@pytest.fixture
def supervisor_number(phone_settings: Settings) -> str:
    """A simulated supervisor who reads TEXT after the beep, presses # and then 1."""
    sound = f"prompt-page-{os.getpid()}"
    spoken_sound(phone_settings, TEXT, sound)
    number = phone_number()

    async def program() -> None:
        async with AriClient(phone_settings.ari) as ari:
            await simulator.program(ari, number, simulator.answer(f"t{sound}", "k#", "k1"))

    asyncio.run(program())  # before the browser, whose driver runs a loop of its own
    return number


@pytest.fixture
def phone_page(
    phone_settings: Settings,
    web_engine: Engine,
    users: dict[str, tuple[str, str]],
    supervisor_number: str,
) -> Iterator[Page]:
    yield from _browse(phone_settings, web_engine)


@pytest.mark.asterisk
def test_a_supervisor_records_a_prompt_by_phone_from_the_page(
    phone_page: Page, phone_settings: Settings, supervisor_number: str
) -> None:
    page = phone_page
    log_in(page, "supervisor")
    page.goto(PROMPT_PAGE)
    page.get_by_label("话机（分机登录名或电话号码）").fill(supervisor_number)
    page.get_by_role("button", name="呼叫我的话机录音").click()
    state = page.locator("#call-state")
    expect(state).to_be_visible()
    # the page reloads itself while the call lasts
    expect(state).to_have_text("已保存为第 1 版，待审核", timeout=90_000)
    version = page.locator("#versions tr#v1")
    expect(version.locator(".status")).to_have_text("待审核")
    assert version.locator(".heard").inner_text().strip() not in ("", "（未能转写）")
    expect(page.get_by_role("button", name="呼叫我的话机录音")).to_be_enabled(timeout=10_000)

    version.get_by_role("button", name="审核通过").click()
    expect(page.locator("#versions tr#v1 .status")).to_have_text("使用中")
    cache = PromptCache.at(phone_settings.prompts_dir, phone_settings.tts_engine)
    assert cache.render(TEXT, "consent_thanks").parent.name == "approved"
