"""The ticket pages in headless Chromium, as a liaison, a supervisor and an auditor use
them (marked ``browser``; Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.settings import Settings
from callcenter.tickets.machine import State
from tests.tickets.fixtures import beijing
from tests.tickets.site import PASSWORD, REASON, Site, build_site
from tests.web.live import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `bash scripts/apt-deps.sh`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(web_engine: Engine, ticket_password_hash: str) -> Site:
    # opened on Friday 13 February 2026 at 16:00; seen the next morning, a make-up working
    # day (调休), when contacts due at 16:00 are 预警
    built = build_site(web_engine, FixedClock(beijing(2026, 2, 13, 16)), ticket_password_hash)
    built.clock.set(beijing(2026, 2, 14, 9))
    return built


@pytest.fixture
def page(
    browser: Browser, web_settings: Settings, web_engine: Engine, site: Site
) -> Iterator[Page]:
    with LiveServer(create_app(web_settings, engine=web_engine, clock=site.clock)) as live:
        context = browser.new_context(
            base_url=live.url, locale="zh-CN", viewport={"width": 1360, "height": 900}
        )
        yield context.new_page()
        context.close()


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who .user")).to_contain_text(name)


def test_a_liaison_works_the_units_ticket_and_is_refused_another_units(
    page: Page, site: Site
) -> None:
    log_in(page, "lianluo1")
    expect(page).to_have_url(re.compile(r"/tickets$"))  # the home of a unit's liaison
    expect(page.locator(".who .user")).to_contain_text("整改联络员")
    rows = page.locator("#tickets tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-ticket="{site.new}"] .urgency')).to_have_text("预警")
    expect(page.get_by_role("link", name="台账查询")).to_have_count(0)

    page.get_by_role("link", name=site.new).click()
    expect(page.locator("h1")).to_contain_text(f"整改工单{site.new}")
    expect(page.locator("#said")).to_contain_text(REASON)
    expect(page.locator("#due")).to_have_text("2026-02-14 16:00 前")
    page.get_by_label("上门走访").check()
    page.get_by_label("联系情况").fill("上门走访申请人，当面致歉并说明改进措施。")
    page.get_by_role("button", name="记录联系情况").click()
    expect(page.locator("#state")).to_have_text("整改中")
    expect(page.locator("#timeline")).to_contain_text("上门走访申请人，当面致歉并说明改进措施。")
    page.get_by_label("整改落实情况").fill("窗口增设引导员，高峰期增开窗口。")
    page.get_by_role("button", name="提交整改报告").click()
    expect(page.locator("#state")).to_have_text("已报告")
    assert site.service.store.find(site.new).state is State.REPORTED

    refused = page.goto(f"/tickets/{site.other}")
    assert refused is not None and refused.status == 403
    expect(page.locator("h1")).to_have_text("无权访问")
    expect(page.locator("main")).to_contain_text(
        f"无权查看工单{site.other}：该工单属于义马市市场监督管理局泰山所"
    )


def test_a_supervisor_sees_the_warnings_and_sends_a_ticket_back(page: Page, site: Site) -> None:
    log_in(page, "jiwei1")
    page.get_by_role("link", name="整改工单").click()
    expect(page.locator("#tickets tbody tr")).to_have_count(4)  # misconduct included
    page.get_by_role("link", name="预警").click()
    expect(page.locator("#alerts tbody tr")).to_have_count(2)
    expect(page.locator("#by-unit")).to_contain_text("义马市市场监督管理局泰山所")

    page.goto(f"/tickets/{site.verifying}")
    expect(page.locator("#state")).to_have_text("督查核实")
    page.get_by_label("申请人满意情况").select_option(label="不满意")
    page.get_by_label("核实结论").select_option(label="退回重新整改")
    page.get_by_label("核实情况").fill("电话核实，申请人反映问题未解决，退回重新整改。")
    page.get_by_role("button", name="提交核实结论").click()
    expect(page.locator("#state")).to_have_text("整改中")
    expect(page.locator("h1")).to_contain_text("第2轮")
    expect(page.locator("#rounds tbody tr")).to_have_count(2)
    t = site.service.store.find(site.verifying)
    assert (t.state, t.round, t.rounds[0].verified_by) == (State.RECTIFYING, 2, "jiwei1")

    page.goto(f"/tickets/{site.misconduct}")
    expect(page.locator("h1")).to_contain_text(f"督查工单{site.misconduct}")
    options = page.get_by_label("核实结论").locator("option")
    expect(options).to_have_text(["请选择", "核实满意，办结", "无效投诉，办结", "启动问责，办结"])


def test_an_auditor_reads_listens_and_exports_but_takes_no_step(page: Page, site: Site) -> None:
    log_in(page, "ducha1")
    page.goto("/tickets")
    expect(page.locator("#tickets tbody tr")).to_have_count(3)  # not the misconduct report
    page.get_by_role("link", name=site.new).click()
    expect(page.locator("form[action^='/tickets/']")).to_have_count(0)
    expect(page.get_by_role("link", name="查看通话")).to_be_visible()
    expect(page.get_by_role("link", name="收听录音")).to_be_visible()
    page.goto("/tickets?month=2026-02")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 2026-02 整改台账（Excel）").click()
    assert download.value.suggested_filename == "整改台账-全部单位-2026-02.xlsx"
    refused = page.goto(f"/tickets/{site.misconduct}")
    assert refused is not None and refused.status == 403
