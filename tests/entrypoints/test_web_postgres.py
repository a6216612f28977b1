"""The pages on PostgreSQL: the same requests as on SQLite, in one pass."""

from __future__ import annotations

import io

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from callcenter.access.log import AccessLog
from tests.web.fixtures import login
from tests.web.seed import KEYWORD, PHONE_1, Seeded

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("db_url", ["postgres"], indirect=True),
]


@pytest.fixture
def web_db_url(db_url: str) -> str:
    return db_url


async def test_search_call_recording_export(
    db_url: str, client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    assert db_url.startswith("postgresql")
    token = await login(client, "auditor")
    html = await (await client.get("/", params={"q": KEYWORD, "month": "2026-11"})).text()
    assert '<strong id="total">1</strong>' in html and "<mark>排队</mark>" in html
    call = await (await client.get(f"/calls/{seeded.complete}")).text()
    assert "校验一致" in call and PHONE_1 not in call
    part = await client.get(
        f"/recordings/{seeded.call_recording_id}", headers={"Range": "bytes=0-99"}
    )
    assert part.status == 206 and await part.read() == seeded.call_wav.read_bytes()[:100]
    export = await client.post("/export", data={"csrf_token": token, "month": "2026-11"})
    assert len(list(load_workbook(io.BytesIO(await export.read())).worksheets[0].rows)) == 3
    assert [e.action for e in access_log.entries().entries] == [
        "export",
        "play_recording",
        "login",
    ]
