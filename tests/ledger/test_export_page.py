"""Downloading one month of the 台账 as Excel."""

from __future__ import annotations

import io
from urllib.parse import unquote

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from callcenter.access.log import AccessLog
from callcenter.ledger.taizhang import COLUMNS
from tests.web.fixtures import login
from tests.web.seed import PHONE_1, REASON_TEXT, STATION, Seeded


async def test_month_workbook(client: TestClient, seeded: Seeded, access_log: AccessLog) -> None:
    token = await login(client, "auditor")
    response = await client.post("/export", data={"csrf_token": token, "month": "2026-11"})
    assert response.status == 200
    assert response.content_type.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert unquote(disposition.split("''", 1)[1]) == "电话回访登记台账-全部单位-2026-11.xlsx"
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == 3
    assert any(REASON_TEXT in (row[4] or "") for row in rows[1:])
    assert all(PHONE_1 not in str(cell) for row in rows for cell in row)
    entry = access_log.entries(action="export").entries[0]
    assert (entry.username, entry.detail) == ("ducha1", "2026-11 全部单位，2 条")


async def test_one_unit(client: TestClient, seeded: Seeded) -> None:
    token = await login(client, "supervisor")
    response = await client.post(
        "/export", data={"csrf_token": token, "month": "2026-11", "unit": STATION}
    )
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [STATION]


async def test_export_needs_month_token_and_role(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    token = await login(client, "auditor")
    assert (await client.post("/export", data={"csrf_token": token})).status == 400
    assert (await client.post("/export", data={"month": "2026-11"})).status == 403
    await client.post("/logout", data={"csrf_token": token})
    token = await login(client, "agent")
    response = await client.post("/export", data={"csrf_token": token, "month": "2026-11"})
    assert response.status == 403
    assert access_log.entries(action="export").total == 0
