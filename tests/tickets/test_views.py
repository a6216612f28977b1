"""The ticket pages for each role: what each sees, the forms each gets, the steps each
may take, and the refusals (in Chinese, written to the access log)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from io import BytesIO
from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import Engine

from callcenter.access.log import AccessLog
from callcenter.agents.views import keys as agent_keys
from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from callcenter.tickets.machine import State
from tests.tickets.fixtures import beijing
from tests.tickets.site import REASON, Site, build_site, log_in


@pytest.fixture
def site(web_engine: Engine, ticket_password_hash: str) -> Site:
    return build_site(web_engine, FixedClock(beijing(2026, 2, 13, 16)), ticket_password_hash)


@pytest.fixture
async def pages(
    web_settings: Settings, web_engine: Engine, site: Site
) -> AsyncIterator[TestClient]:
    app = create_app(web_settings, engine=web_engine, clock=site.clock)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_a_liaison_lands_on_the_units_tickets_and_sees_no_other_unit(
    pages: TestClient, site: Site
) -> None:
    await log_in(pages, "lianluo1", next_url="/")
    home = await pages.get("/", allow_redirects=False)
    assert (home.status, home.headers["Location"]) == (303, "/tickets")
    html = await (await pages.get("/tickets")).text()
    assert site.new in html and site.verifying in html
    assert site.other not in html
    assert site.misconduct not in html  # supervision's, not the unit's
    assert 'href="/tickets"' in html and 'href="/">台账查询' not in html
    assert (await pages.get("/")).url.path == "/tickets"


async def test_a_liaison_is_refused_another_units_ticket_in_chinese_and_on_the_record(
    pages: TestClient, site: Site, web_engine: Engine
) -> None:
    token = await log_in(pages, "lianluo1")
    response = await pages.get(f"/tickets/{site.other}")
    assert response.status == 403
    html = await response.text()
    assert "无权访问" in html
    assert f"无权查看工单{site.other}：该工单属于义马市市场监督管理局泰山所" in html
    assert "您只能查看和办理本单位（义马市市场监督管理局千秋所）的工单" in html
    posted = await pages.post(
        f"/tickets/{site.other}/contact",
        data={"csrf_token": token, "method": "phone", "summary": "越权"},
    )
    assert posted.status == 403
    assert site.service.store.find(site.other).state is State.AWAITING_CONTACT
    denials = AccessLog(session_factory(web_engine)).entries(action="denied").entries
    assert [e.username for e in denials if site.other in e.detail] == ["lianluo1", "lianluo1"]


async def test_the_liaison_records_contact_and_report_from_the_page(
    pages: TestClient, site: Site
) -> None:
    token = await log_in(pages, "lianluo1")
    page = await (await pages.get(f"/tickets/{site.new}")).text()
    assert REASON in page  # what the applicant said, transcribed
    assert 'id="contact-form"' in page and 'id="verify-form"' not in page
    assert "138****0000" in page and "13800000000" not in page
    response = await pages.post(
        f"/tickets/{site.new}/contact",
        data={"csrf_token": token, "method": "visit", "summary": "上门走访，当面致歉。"},
        allow_redirects=False,
    )
    assert (response.status, response.headers["Location"]) == (303, f"/tickets/{site.new}")
    page = await (await pages.get(f"/tickets/{site.new}")).text()
    assert "整改中" in page and "上门走访，当面致歉。" in page and "lianluo1" in page
    assert 'id="report-form"' in page and 'id="contact-form"' not in page
    # the same contact again, from a page left open: refused, nothing written
    again = await pages.post(
        f"/tickets/{site.new}/contact",
        data={"csrf_token": token, "method": "phone", "summary": "再次联系"},
    )
    assert again.status == 409
    assert "处于「整改中」，不能联系申请人" in await again.text()
    empty = await pages.post(f"/tickets/{site.new}/report", data={"csrf_token": token, "text": " "})
    assert empty.status == 400
    assert "整改情况不能为空" in await empty.text()
    assert len(site.service.store.events(site.service.store.find(site.new).id)) == 2


async def test_supervision_verifies_but_not_its_own_unit(pages: TestClient, site: Site) -> None:
    token = await log_in(pages, "jiwei_qiuqiu")
    page = await (await pages.get(f"/tickets/{site.verifying}")).text()
    assert 'id="verify-form"' not in page
    refused = await pages.post(
        f"/tickets/{site.verifying}/verify",
        data={"csrf_token": token, "satisfied": "yes", "conclusion": "satisfied", "text": "x"},
    )
    assert refused.status == 403
    assert "本单位人员不能核实本单位的工单" in await refused.text()
    await pages.post("/logout", data={"csrf_token": token})
    token = await log_in(pages, "jiwei1")
    page = await (await pages.get(f"/tickets/{site.verifying}")).text()
    assert 'id="verify-form"' in page and "退回重新整改" in page
    response = await pages.post(
        f"/tickets/{site.verifying}/verify",
        data={
            "csrf_token": token,
            "satisfied": "no",
            "conclusion": "returned",
            "text": "整改不到位",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    t = site.service.store.find(site.verifying)
    assert (t.state, t.round) == (State.RECTIFYING, 2)
    misconduct = await (await pages.get(f"/tickets/{site.misconduct}")).text()
    assert "督查工单" in misconduct and "退回重新整改" not in misconduct


async def test_an_auditor_reads_without_forms_and_may_not_act(
    pages: TestClient, site: Site
) -> None:
    token = await log_in(pages, "ducha1")
    page = await (await pages.get(f"/tickets/{site.new}")).text()
    assert "-form" not in page
    assert 'action="/tickets/' not in page
    assert 'href="/calls/call-YM-2026-0801"' in page and "收听录音" in page
    posted = await pages.post(
        f"/tickets/{site.new}/contact",
        data={"csrf_token": token, "method": "phone", "summary": "x"},
    )
    assert posted.status == 403
    assert (await pages.get(f"/tickets/{site.misconduct}")).status == 403


async def test_warnings_and_overdue(pages: TestClient, site: Site) -> None:
    site.clock.set(beijing(2026, 2, 14, 9))  # contact due Saturday 16:00: 预警
    token = await log_in(pages, "jiwei1")
    html = await (await pages.get("/tickets/warnings")).text()
    assert html.count('class="badge warn urgency"') == 2 and "超期" not in html.split("<h3>")[1]
    await pages.post("/logout", data={"csrf_token": token})
    site.clock.set(beijing(2026, 2, 24, 9))
    await log_in(pages, "jiwei1")
    overdue = await (await pages.get("/tickets", params={"due": "overdue"})).text()
    assert site.new in overdue and site.other in overdue and site.verifying not in overdue
    assert overdue.count('class="badge bad urgency"') == 2


async def test_the_month_exported_by_an_auditor(pages: TestClient, site: Site) -> None:
    token = await log_in(pages, "ducha1")
    response = await pages.post("/tickets/export", data={"csrf_token": token, "month": "2026-02"})
    assert response.status == 200
    sheet = load_workbook(BytesIO(await response.read())).worksheets[0]
    numbers = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == sorted([site.new, site.other, site.verifying])  # no misconduct


async def test_the_liaison_calls_the_applicant_from_the_page_and_the_call_is_attached(
    pages: TestClient, site: Site
) -> None:
    token = await log_in(pages, "lianluo1")
    # without a phone of their own, they are told how to get one
    refused = await pages.post(f"/tickets/{site.new}/call", data={"csrf_token": token})
    assert refused.status == 409
    assert "无法呼叫" in (text := await refused.text()) and "agent add lianluo1" in text

    placed: list[tuple[str, int, str]] = []

    async def start(user: str, case_id: int, note: str) -> SimpleNamespace:
        placed.append((user, case_id, note))
        return SimpleNamespace(attempt_id="c2d-0123456789abcdef")

    # the real dialler rings phones on the sandbox (tests/agents); here only the page's part
    pages.app[agent_keys.CLICK].start = start  # type: ignore[method-assign]
    response = await pages.post(
        f"/tickets/{site.new}/call", data={"csrf_token": token}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/tickets/{site.new}?call=c2d-0123456789abcdef"
    ticket = site.service.store.find(site.new)
    assert placed == [("lianluo1", ticket.case.id, site.new)]
    page = await (await pages.get(response.headers["Location"])).text()
    assert 'name="attempt_id" value="c2d-0123456789abcdef"' in page
    await pages.post(
        f"/tickets/{site.new}/contact",
        data={
            "csrf_token": token,
            "method": "phone",
            "summary": "电话联系，已致歉。",
            "attempt_id": "c2d-0123456789abcdef",
        },
    )
    (contact,) = [e for e in site.service.store.events(ticket.id) if e.event == "contact"]
    assert contact.attempt_id == "c2d-0123456789abcdef"
