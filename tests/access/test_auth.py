"""Logging in and out, sessions, CSRF, throttling: through HTTP as a browser would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.kernel.database import session_factory
from tests.web.fixtures import USERS, csrf_token, login


async def _login_form(client: TestClient) -> str:
    page = await client.get("/login")
    assert page.status == 200
    return csrf_token(await page.text())


async def _post_login(client: TestClient, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    token = await _login_form(client)
    data = {"csrf_token": token, "username": username, "password": password, "next": "/"}
    data.update(extra)
    return await client.post("/login", data=data, allow_redirects=False)


async def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = await client.get("/?month=2026-11", allow_redirects=False)
    assert response.status == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/?month=2026-11"]}


async def test_login_sets_a_safe_cookie_and_logs(client: TestClient, access_log: AccessLog) -> None:
    form = await client.get("/login")
    csrf_cookie = form.cookies["cc_csrf"]
    assert csrf_cookie["httponly"] and csrf_cookie["samesite"] == "Strict"
    response = await _post_login(client, *USERS["auditor"], next="/?month=2026-11")
    assert response.status == 303
    assert response.headers["Location"] == "/?month=2026-11"
    cookie = response.cookies["cc_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert len(cookie.value) >= 40
    entries = access_log.entries().entries
    assert [(e.action, e.username, e.role) for e in entries] == [("login", "ducha1", "auditor")]
    home = await client.get("/")
    assert home.status == 200
    assert "ducha1（督查员）" in await home.text()
    assert home.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]


async def test_wrong_password_and_unknown_user(client: TestClient, access_log: AccessLog) -> None:
    name, _ = USERS["auditor"]
    wrong = await _post_login(client, name, "not-the-password")
    assert wrong.status == 401
    assert "用户名或密码错误" in await wrong.text()
    assert "cc_session" not in wrong.cookies
    unknown = await _post_login(client, "nobody", "whatever-password")
    assert unknown.status == 401
    details = [(e.action, e.username, e.detail) for e in access_log.entries().entries]
    assert details == [
        ("login_failed", "nobody", "用户不存在"),
        ("login_failed", name, "密码错误"),
    ]
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    name, password = USERS["auditor"]
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": name, "password": password}, allow_redirects=False
    )
    assert response.status == 403
    assert "cc_session" not in response.cookies


async def test_cross_origin_post_is_refused(client: TestClient) -> None:
    name, password = USERS["auditor"]
    token = await _login_form(client)
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": name, "password": password},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_next_never_leaves_the_site(client: TestClient) -> None:
    for target in ("//evil.example/", "http://evil.example/", "/\\evil.example"):
        await client.post("/logout", data={"csrf_token": "x"}, allow_redirects=False)
        client.session.cookie_jar.clear()
        response = await _post_login(client, *USERS["auditor"], next=target)
        assert response.headers["Location"] == "/", target


async def test_logout_needs_the_token_and_ends_the_session(
    client: TestClient, access_log: AccessLog
) -> None:
    token = await login(client, "auditor")
    session_cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cc_session"]
    refused = await client.post("/logout", data={"csrf_token": "forged"}, allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/", allow_redirects=False)).status == 200
    done = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/login"
    assert (await client.get("/", allow_redirects=False)).status == 303
    # The old token is worth nothing now, even if someone kept a copy.
    client.session.cookie_jar.update_cookies({"cc_session": session_cookie.value})
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert [e.action for e in access_log.entries().entries][:2] == ["logout", "login"]


async def test_disabling_a_user_ends_the_session(client: TestClient, web_engine: Engine) -> None:
    await login(client, "auditor")
    Accounts(session_factory(web_engine)).disable_user(USERS["auditor"][0])
    assert (await client.get("/", allow_redirects=False)).status == 303
    response = await _post_login(client, *USERS["auditor"])
    assert response.status == 401


async def test_too_many_failures_lock_the_name(client: TestClient, access_log: AccessLog) -> None:
    name, password = USERS["auditor"]
    for _ in range(5):
        assert (await _post_login(client, name, "wrong-password")).status == 401
    locked = await _post_login(client, name, password)
    assert locked.status == 429
    assert "登录失败次数过多" in await locked.text()
    assert "cc_session" not in locked.cookies
    # Another user is not affected.
    assert (await _post_login(client, *USERS["agent"])).status == 303


async def test_health(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200 and await response.text() == "ok"
