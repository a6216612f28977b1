"""The pages on PostgreSQL: the same requests as on SQLite, in one pass."""

from __future__ import annotations

import asyncio
import io

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from callcenter.access.log import AccessLog
from tests.web.fixtures import csrf_token, login
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


async def test_parameters_postgres_refuses_are_refused_first(
    db_url: str, client: TestClient, seeded: Seeded
) -> None:
    # PostgreSQL rejects NUL in text and ids beyond INTEGER: each must be a 400 or 404.
    await login(client, "auditor")
    for path, status in (
        ("/?q=%00", 400),
        ("/?case=%00", 400),
        ("/calls/a%00b", 404),
        (f"/recordings/{2**40}", 404),
        ("/?month=9999-12", 400),
    ):
        response = await client.get(path)
        assert response.status == status, (path, await response.text())
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"csrf_token": csrf_token(await page.text()), "username": "a\x00", "password": "x"},
    )
    assert response.status == 400


async def test_concurrent_guesses_on_postgres(db_url: str, clocked_client: TestClient) -> None:
    page = await clocked_client.get("/login")
    token = csrf_token(await page.text())
    responses = await asyncio.gather(
        *(
            clocked_client.post(
                "/login",
                data={"csrf_token": token, "username": "ducha1", "password": f"wrong-{i}"},
                allow_redirects=False,
            )
            for i in range(12)
        )
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [401] * 5 + [429] * 7


async def test_concurrent_ranges_make_one_entry_on_postgres(
    db_url: str, client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "auditor")
    url = f"/recordings/{seeded.call_recording_id}"
    parts = await asyncio.gather(
        *(client.get(url, headers={"Range": f"bytes={i * 100 + 1}-"}) for i in range(12))
    )
    assert [p.status for p in parts] == [206] * 12
    assert access_log.entries(action="play_recording").total == 1
