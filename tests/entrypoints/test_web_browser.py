"""The pages in headless Chromium, as an auditor uses them (marked ``browser``).

Chromium is Debian's (/usr/bin/chromium, installed by scripts/apt-deps.sh), driven by
Playwright; the tests fail, not skip, when it is missing.
"""

from __future__ import annotations

import os
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from callcenter.access.log import AccessLog
from callcenter.entrypoints.web import create_app
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from tests.web.fixtures import USERS
from tests.web.live import LiveServer
from tests.web.seed import KEYWORD, PHONE_1, Seeded

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots go here when set (to look at them), else into the test's tmp_path.
SCREENSHOT_DIR_ENV = "CALLCENTER_SCREENSHOT_DIR"


# Per test, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is started, which the async tests that follow could not run beside.
@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`", pytrace=False
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(
    web_settings: Settings,
    web_engine: Engine,
    users: dict[str, tuple[str, str]],
    seeded: Seeded,
) -> Iterator[str]:
    with LiveServer(create_app(web_settings, engine=web_engine)) as live:
        yield live.url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server, locale="zh-CN", viewport={"width": 1360, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, role: str) -> None:
    name, password = USERS[role]
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who .user")).to_contain_text(name)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_find_a_call_by_keyword_and_play_it(page: Page, seeded: Seeded, web_engine: Engine) -> None:
    log_in(page, "auditor")
    page.get_by_label("录音文字含").fill(KEYWORD)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator("table.results mark").first).to_have_text(KEYWORD)
    page.locator(f'a[href="/calls/{seeded.complete}"]').click()

    expect(page.locator("h1")).to_contain_text("YM-2026-1101")
    expect(page.locator("#phone")).to_have_text("138****5678")
    assert PHONE_1 not in page.content()

    player = page.locator("#whole-call")
    expect(player).to_be_visible()
    # 从此处收听 on the 接通 row plays the whole call from its start: a real click,
    # so the browser's autoplay rules apply as they would for a person.
    page.locator("table.timeline tr", has_text="接通").get_by_role(
        "button", name="从此处收听"
    ).click()
    page.wait_for_function(
        "() => { const a = document.getElementById('whole-call');"
        " return a && !a.paused && a.currentTime > 0.2; }",
        timeout=15_000,
    )
    duration = player.evaluate("a => a.duration")
    assert duration == pytest.approx(wav_seconds(seeded.call_wav), abs=0.05)

    # Seeking far into the file makes the browser ask for a byte range.
    player.evaluate("a => { a.currentTime = a.duration - 1; }")
    page.wait_for_function(
        "() => document.getElementById('whole-call').currentTime >= document.getElementById('whole-call').duration - 1",
        timeout=10_000,
    )
    player.evaluate("a => a.pause()")

    plays = _log(web_engine).entries(action="play_recording").entries
    assert plays and {(p.username, p.recording_id) for p in plays} == {
        ("ducha1", seeded.call_recording_id)
    }

    # The supervisor sees in the access log who listened to what.
    log_out(page)
    log_in(page, "supervisor")
    page.get_by_role("link", name="访问记录").click()
    row = page.locator("table.access-log tr.action-play_recording").first
    expect(row).to_contain_text("ducha1")
    expect(row).to_contain_text("收听录音")
    expect(row).to_contain_text(str(seeded.call_recording_id))
    expect(row.get_by_role("link", name=seeded.complete)).to_be_visible()


def test_recordings_refused_when_logged_out_or_with_the_wrong_role(
    page: Page, seeded: Seeded, web_engine: Engine
) -> None:
    url = f"/recordings/{seeded.call_recording_id}"
    response = page.goto(url)
    assert response is not None
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert response.headers.get("content-type", "").startswith("text/html")

    log_in(page, "agent")
    page.goto(f"/calls/{seeded.complete}")
    expect(page.locator("#phone")).to_have_text("138****5678")
    assert page.locator("audio").count() == 0
    expect(page.get_by_text("您的角色无权收听录音").first).to_be_visible()
    refused = page.goto(url)
    assert refused is not None and refused.status == 403
    expect(page.locator("h1")).to_have_text("无权访问")

    denied = _log(web_engine).entries(action="denied").entries
    assert [(e.username, e.role) for e in denied] == [("huawu1", "agent")]
    assert _log(web_engine).entries(action="play_recording").total == 0


def test_altered_recording_is_shown_and_has_no_player(
    page: Page, seeded: Seeded, tmp_path: Path
) -> None:
    with seeded.call_wav.open("r+b") as f:
        f.seek(4000)
        byte = f.read(1)
        f.seek(4000)
        f.write(bytes([byte[0] ^ 0xFF]))
    log_in(page, "auditor")
    page.goto(f"/calls/{seeded.complete}")
    whole = page.locator(f'.recording[data-recording-id="{seeded.call_recording_id}"]')
    expect(whole.locator(".integrity")).to_have_text("录音文件已被改动")
    assert whole.locator("audio").count() == 0
    assert page.locator("#whole-call").count() == 0
    # The answers' recordings are untouched and still play.
    assert page.locator(f'audio[src="/recordings/{seeded.reason_recording_id}"]').count() == 1
    whole.screenshot(path=str(_shots(tmp_path) / "altered.png"))


def test_screenshots(page: Page, seeded: Seeded, tmp_path: Path) -> None:
    out = _shots(tmp_path)
    log_in(page, "admin")
    page.goto(f"/?month=2026-11&q={KEYWORD}")
    page.screenshot(path=str(out / "search.png"), full_page=True)
    page.goto("/")
    page.screenshot(path=str(out / "search-all.png"), full_page=True)
    page.goto(f"/calls/{seeded.complete}")
    page.screenshot(path=str(out / "call.png"), full_page=True)
    page.get_by_role("button", name="显示完整号码（将记录）").click()
    expect(page.locator("#phone")).to_have_text(PHONE_1)
    page.goto("/access-log")
    page.screenshot(path=str(out / "access-log.png"), full_page=True)
    for name in ("search.png", "search-all.png", "call.png", "access-log.png"):
        assert (out / name).stat().st_size > 10_000


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get(SCREENSHOT_DIR_ENV) or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _log(engine: Engine) -> AccessLog:
    return AccessLog(session_factory(engine))
