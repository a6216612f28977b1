"""Every error is a page of the site: in Chinese, in the page frame, with a way back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.entrypoints.web import create_app
from callcenter.settings import Settings
from tests.web.fixtures import csrf_token, login
from tests.web.seed import Seeded


async def _broken(request: web.Request) -> web.StreamResponse:
    raise RuntimeError("a bug in a handler")


@pytest.fixture
async def app_client(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> AsyncIterator[TestClient]:
    app = create_app(web_settings, engine=web_engine)
    app.router.add_get("/broken", _broken)
    async with TestClient(TestServer(app)) as c:
        yield c


def _is_error_page(html: str, title: str) -> None:
    assert html.startswith("<!doctype html>"), html[:200]
    assert f"<h1>{title}</h1>" in html, html
    assert '<a href="/">返回台账查询</a>' in html
    for english in ("Not Found", "Method Not Allowed", "Bad Request", "Internal Server Error"):
        assert english not in html


async def test_404(app_client: TestClient, seeded: Seeded) -> None:
    await login(app_client, "auditor")
    for path in ("/no-such-page", f"/calls/{seeded.complete}x", "/recordings/999999"):
        response = await app_client.get(path)
        assert response.status == 404, path
        assert response.content_type == "text/html"
        html = await response.text()
        _is_error_page(html, "页面不存在" if path == "/no-such-page" else "找不到记录")
        assert "ducha1（督查员）" in html  # in the frame, for the logged-in user


async def test_405(app_client: TestClient) -> None:
    response = await app_client.get("/logout")
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    _is_error_page(await response.text(), "不支持的请求方式")


async def test_413(app_client: TestClient) -> None:
    page = await app_client.get("/login")
    response = await app_client.post(
        "/login",
        data={"csrf_token": csrf_token(await page.text()), "username": "x" * 100_000},
    )
    assert response.status == 413
    _is_error_page(await response.text(), "提交的内容过大")


async def test_400_and_403(app_client: TestClient, seeded: Seeded) -> None:
    token = await login(app_client, "agent")
    refused = await app_client.get(f"/recordings/{seeded.call_recording_id}")
    assert refused.status == 403
    _is_error_page(await refused.text(), "无权访问")
    bad = await app_client.get("/?page=abc")
    assert bad.status == 400
    assert "页码" in await bad.text()
    forged = await app_client.post("/logout", data={"csrf_token": token + "x"})
    assert forged.status == 403
    _is_error_page(await forged.text(), "请求无效")


async def test_cross_site_recording_fetch_is_refused_in_chinese(
    app_client: TestClient, seeded: Seeded
) -> None:
    await login(app_client, "auditor")
    response = await app_client.get(
        f"/recordings/{seeded.call_recording_id}", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status == 403
    _is_error_page(await response.text(), "无权访问")


async def test_429(app_client: TestClient) -> None:
    for _ in range(6):
        page = await app_client.get("/login")
        response = await app_client.post(
            "/login",
            data={
                "csrf_token": csrf_token(await page.text()),
                "username": "ducha1",
                "password": "wrong-password",
            },
        )
    assert response.status == 429
    html = await response.text()
    assert "登录失败次数过多" in html
    assert '<a href="/">返回台账查询</a>' in html or 'action="/login"' in html


async def test_500(app_client: TestClient) -> None:
    response = await app_client.get("/broken")
    assert response.status == 500
    assert response.content_type == "text/html"
    html = await response.text()
    _is_error_page(html, "服务器出错")
    assert "a bug in a handler" not in html and "Traceback" not in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
