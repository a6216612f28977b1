"""The report pages in headless Chromium (marked ``browser``; Debian's /usr/bin/chromium
driven by Playwright): a supervisor reads the 考核, follows a count to its calls and its
tickets, enters a deduction, prints the 通报 and downloads its PDF; an agent is refused.
Screenshots are saved under the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from tests.reports.dataset import JIA, JIA_STATION, YI, YI_WINDOW2, bj, build
from tests.web.fixtures import USERS
from tests.web.live import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def page(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> Iterator[Page]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`")
    build(session_factory(web_engine))
    app = create_app(web_settings, engine=web_engine, clock=FixedClock(bj(12, 3)))
    with LiveServer(app) as live, sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live.url,
            locale="zh-CN",
            viewport={"width": 1500, "height": 1000},
            accept_downloads=True,
        )
        # offline: the pages may fetch nothing but their own server
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(live.url) else route.abort()
            ),
        )
        yield context.new_page()
        context.close()
        browser.close()


def log_in(page: Page, role: str) -> None:
    name, password = USERS[role]
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who .user")).to_contain_text(name)


def cell(page: Page, table: str, unit: str, column: str) -> str:
    return page.locator(
        f'#{table} tr:has(td[data-col="单位"]:text-is("{unit}")) td[data-col="{column}"]'
    ).inner_text()


def test_a_supervisor_reads_traces_prints_and_downloads(page: Page, tmp_path: Path) -> None:
    log_in(page, "supervisor")
    page.get_by_role("link", name="考核通报").click()
    page.get_by_label("期间").fill("2026-11")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("h2").first).to_contain_text("2026年11月")
    ranking = page.locator('#a15 td[data-col="单位"]')
    expect(ranking).to_have_text([YI, "丙县局", JIA])
    assert cell(page, "a15", JIA, "总分") == "71.71"
    assert cell(page, "a15", "丙县局", "初次满意率") == "无此类事项"
    # three charts, drawn on the server, each with its bars or lines
    charts = page.locator(".charts figure svg")
    expect(charts).to_have_count(3)
    expect(page.locator(".charts svg rect").first).to_be_visible()
    page.screenshot(path=tmp_path / "kpi.png", full_page=True)

    # a count opens the list of the calls behind it
    page.locator(f'#a15 tr:has(td:text-is("{JIA}")) td[data-col="有效回访数量"] a').click()
    expect(page.locator("#drill-total")).to_have_text("共 42 条")
    expect(page.locator("#drill tbody tr")).to_have_count(42)
    page.screenshot(path=tmp_path / "drill-calls.png", full_page=True)
    page.locator("#drill tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/calls/a\d+$"))
    page.go_back()
    page.go_back()

    # …and the tickets behind a verification count
    page.locator(f'#a15 tr:has(td:text-is("{JIA}")) td[data-col="督查核实数量"] a').click()
    expect(page.locator("#drill tbody tr")).to_have_count(2)
    page.go_back()

    # a deduction, with its reason, lowers 甲县's score and is listed with who entered it
    form = page.locator("#deduction-form")
    form.get_by_label("单位").select_option(JIA)
    form.get_by_label("扣分项").select_option("report_poor")
    form.get_by_label("理由").fill("分析报告内容空泛")
    form.get_by_role("button", name="录入扣分").click()
    assert cell(page, "a15", JIA, "总分") == "66.71"
    expect(page.locator("#deductions")).to_contain_text("分析报告内容空泛")
    expect(page.locator("#deductions")).to_contain_text(USERS["supervisor"][0])

    # the printable 通报: the print stylesheet hides the page's hints
    page.goto("/reports/grades/print?period=2026-Q4")
    expect(page.locator("h1")).to_have_text("满意度评价通报")
    row = page.locator(
        f'#grades tr:has(td:text-is("{YI_WINDOW2}")):has(td:text-is("2026年第四季度合计"))'
    )
    expect(row.locator('td[data-col="满意率"]')).to_have_text("74.42%")
    page.emulate_media(media="print")
    expect(page.locator(".no-print")).to_be_hidden()
    page.screenshot(path=tmp_path / "grades-print.png", full_page=True)
    page.emulate_media(media="screen")

    # the PDF, printed by headless Chromium from the same page
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    saved = tmp_path / "grades.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.goto(f"/reports/monthly?period=2026-11&unit={JIA}")
    assert cell(page, "quota", JIA_STATION, "是否达标") == "未达标"
    page.screenshot(path=tmp_path / "monthly.png", full_page=True)
    assert all((tmp_path / f).stat().st_size > 10_000 for f in ("kpi.png", "monthly.png"))


def test_an_agent_is_refused_the_reports(page: Page, tmp_path: Path) -> None:
    log_in(page, "agent")
    expect(page.get_by_role("link", name="考核通报")).to_have_count(0)
    response = page.goto("/reports/kpi?period=2026-11")
    assert response is not None and response.status == 403
    expect(page.locator("#a15")).to_have_count(0)
    response = page.goto("/reports/drill?fact=business&period=2026-11")
    assert response is not None and response.status == 403
    page.screenshot(path=tmp_path / "agent-refused.png")
