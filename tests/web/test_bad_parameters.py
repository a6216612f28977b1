"""Parameters no form would send: each gets a clear 400 or 404 page in Chinese, never a
server error, and never a search that quietly matches everything."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.web.fixtures import login
from tests.web.seed import Seeded

HUGE = "9" * 30

BAD_GETS = [
    (f"/recordings/{HUGE}", 404, "没有编号为"),
    (f"/recordings/{2**31}", 404, "没有编号为"),
    (f"/recordings/{2**63}", 404, "没有编号为"),
    ("/calls/a%00b", 404, "没有编号为"),
    ("/calls/" + "x" * 300, 404, "没有编号为"),
    (f"/?page={HUGE}", 400, "页码"),
    ("/?page=0", 400, "页码"),
    ("/?page=-3", 400, "页码"),
    ("/?page=abc", 400, "页码"),
    ("/?month=0000-01", 400, "月份“0000-01”"),
    ("/?month=9999-12", 400, "月份“9999-12”"),
    ("/?month=0001-01", 400, "月份“0001-01”"),
    ("/?q=%00", 400, "控制字符"),
    ("/?case=a%00", 400, "控制字符"),
    ("/?unit=%00", 400, "控制字符"),
    ("/?q=%ff%fe", 400, "无法识别"),
    (f"/access-log?page={HUGE}", 400, "页码"),
    ("/access-log?user=%00", 400, "控制字符"),
    ("/access-log?attempt=%00", 400, "控制字符"),
]


@pytest.mark.parametrize(("path", "status", "words"), BAD_GETS)
async def test_bad_parameter_gets_a_page_in_chinese(
    client: TestClient, seeded: Seeded, path: str, status: int, words: str
) -> None:
    await login(client, "admin")
    response = await client.get(path, allow_redirects=False)
    assert response.status == status, await response.text()
    assert response.content_type == "text/html"
    assert words in await response.text()


async def test_nul_in_the_search_matches_nothing(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    response = await client.get("/", params={"q": "\x00"})
    html = await response.text()
    assert response.status == 400
    assert 'id="total"' not in html and f'href="/calls/{seeded.complete}"' not in html


@pytest.mark.parametrize(
    "form",
    [
        {"month": "9999-12"},
        {"month": "0000-01"},
        {"month": "2026-11", "unit": "\x00"},
        {"month": "2026-11\x00"},
    ],
)
async def test_bad_export_parameters(
    client: TestClient, seeded: Seeded, form: dict[str, str]
) -> None:
    token = await login(client, "auditor")
    response = await client.post("/export", data={"csrf_token": token, **form})
    assert response.status == 400
    assert response.content_type == "text/html"
    assert "无法导出" in await response.text()


async def test_newline_in_next(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    response = await client.get(
        "/login", params={"next": "/\r\nSet-Cookie: x=1"}, allow_redirects=False
    )
    assert response.status == 303
    assert "x" not in response.cookies
    assert response.headers["Location"].startswith("/")


async def test_control_character_in_the_user_name(client: TestClient) -> None:
    page = await client.get("/login")
    from tests.web.fixtures import csrf_token

    response = await client.post(
        "/login",
        data={
            "csrf_token": csrf_token(await page.text()),
            "username": "ducha1\x00",
            "password": "whatever-password",
        },
        allow_redirects=False,
    )
    assert response.status in (400, 401)
    assert response.content_type == "text/html"
