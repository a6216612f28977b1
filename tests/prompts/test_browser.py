"""The prompts page in headless Chromium (marked ``browser``): a supervisor finds a
prompt, uploads an MP3 of it, sees it transcribed back and approves it, after which the
prompt cache plays the recording; an agent is refused. The check uses the configured
transcription engine (``auto``: Whisper base here), on espeak-ng speech."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from callcenter.entrypoints.web import create_app
from callcenter.settings import Settings
from callcenter.telephony.prompts.cache import PromptCache
from tests.reports.test_browser import CHROMIUM, CHROMIUM_ARGS, log_in
from tests.transcription.conftest import whisper_model_dir
from tests.web.live import LiveServer

pytestmark = pytest.mark.browser

TEXT = "是请按1，否请按2。"  # yima_phone_followup, q4_one_time_notice.keys
ROW = '#prompts tr[data-prompt="yima_phone_followup/q4_one_time_notice.keys"]'


@pytest.fixture
def page(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> Iterator[Page]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`")
    whisper_model_dir()  # made once, outside the page's time limits
    with LiveServer(create_app(web_settings, engine=web_engine)) as live, sync_playwright() as p:
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


def _spoken_mp3(tmp_path: Path) -> Path:
    wav, mp3 = tmp_path / "take.wav", tmp_path / "是否.mp3"
    subprocess.run(["espeak-ng", "-v", "cmn", "-w", str(wav), TEXT], check=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(wav), str(mp3)], check=True
    )
    return mp3


def test_a_supervisor_uploads_checks_and_approves_a_recording(
    page: Page, web_settings: Settings, tmp_path: Path
) -> None:
    log_in(page, "supervisor")
    page.get_by_role("link", name="语音提示").click()
    row = page.locator(ROW)
    expect(row.locator("td").nth(2)).to_have_text(TEXT)
    expect(row.locator(".source")).to_have_text("espeak-pinyin")
    # per-call prompts are listed, but not recordable
    expect(page.locator('#prompts tr[data-prompt="yima_phone_followup/greeting"] a')).to_have_count(
        0
    )

    row.get_by_role("link").click()
    expect(page.locator("#text")).to_have_text(TEXT)
    page.get_by_label("录音文件（WAV 或 MP3）").set_input_files(_spoken_mp3(tmp_path))
    page.get_by_role("button", name="上传").click()
    version = page.locator("#versions tr#v1")
    expect(version.locator(".status")).to_have_text("待审核", timeout=60_000)
    expect(version.locator(".cer")).to_contain_text("%")
    assert version.locator(".heard").inner_text().strip()
    page.screenshot(path=str(tmp_path / "uploaded.png"), full_page=True)

    version.get_by_role("button", name="审核通过").click()
    expect(page.locator("#versions tr#v1 .status")).to_have_text("使用中")
    page.get_by_role("link", name="返回全部提示语").click()
    expect(page.locator(ROW).locator(".source")).to_have_text("recorded（第 1 版）")

    cache = PromptCache.at(web_settings.prompts_dir, web_settings.tts_engine)
    played = cache.render(TEXT, "q4_one_time_notice.keys")
    assert played.parent.name == "approved"


def test_an_agent_may_not_manage_prompts(page: Page) -> None:
    log_in(page, "agent")
    expect(page.get_by_role("link", name="语音提示")).to_have_count(0)
    response = page.goto("/prompts")
    assert response is not None and response.status == 403
