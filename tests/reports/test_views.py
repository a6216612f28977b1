"""The report pages over HTTP: the workbook a supervisor exports (written to the access
log), the refusals, and the deduction form's checks."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from callcenter.access.log import AccessLog
from callcenter.kernel.database import session_factory
from tests.reports.dataset import JIA, JIA_WINDOW, build
from tests.web.fixtures import login


@pytest.fixture
def built(web_engine: Engine) -> None:
    build(session_factory(web_engine))


async def test_a_supervisor_exports_the_grades(
    client: TestClient, built: None, access_log: AccessLog
) -> None:
    token = await login(client, "supervisor")
    response = await client.post(
        "/reports/export", data={"csrf_token": token, "kind": "grades", "period": "2026-q4"}
    )
    assert response.status == 200
    name = unquote(response.headers["Content-Disposition"].split("''", 1)[1])
    assert name == "满意度评价通报-全部单位-2026-Q4.xlsx"
    book = load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == ["满意度评价", "差评整改"]
    entry = access_log.entries(action="export").entries[0]
    assert (entry.username, entry.detail) == ("jiwei1", "满意度评价通报 2026-Q4 全部单位 XLSX")


@pytest.mark.parametrize("role", ["auditor", "agent"])
async def test_other_roles_are_refused(client: TestClient, built: None, role: str) -> None:
    token = await login(client, role)
    for path in ("/reports/kpi?period=2026-11", "/reports/monthly/print?period=2026-11"):
        assert (await client.get(path)).status == 403
    response = await client.post(
        "/reports/export", data={"csrf_token": token, "kind": "kpi", "period": "2026-11"}
    )
    assert response.status == 403


async def test_a_bad_period_or_unit_is_named(client: TestClient, built: None) -> None:
    await login(client, "supervisor")
    response = await client.get("/reports/kpi?period=2026-13")
    assert response.status == 400
    assert "2026-Q4" in await response.text()
    response = await client.get("/reports/grades?period=2026-11&unit=丁县局")
    assert response.status == 400
    assert "没有名为“丁县局”的单位" in await response.text()


async def test_a_deduction_must_fit(client: TestClient, built: None) -> None:
    token = await login(client, "supervisor")
    form = {
        "csrf_token": token,
        "period": "2026-11",
        "unit": JIA,
        "kind": "report_poor",
        "on": "2026-11-30",
        "count": "1",
        "reason": "内容空泛",
    }
    for bad, said in (
        ({"on": "30/11/2026"}, "日期"),
        ({"reason": " "}, "请写明扣分理由"),
        ({"unit": JIA_WINDOW}, "扣分应记在其上级单位"),
        ({"kind": "report_poor", "count": "2"}, "每季度只扣一次"),
    ):
        response = await client.post("/reports/deductions", data={**form, **bad})
        assert response.status == 400, bad
        assert said in await response.text()
    response = await client.post("/reports/deductions", data=form, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/reports/kpi?period=2026-11")).text()
    assert "内容空泛" in page
