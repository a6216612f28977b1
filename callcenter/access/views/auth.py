"""Logging in and out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from callcenter.access import keys, passwords, security
from callcenter.web import keys as web_keys
from callcenter.web.templating import render

routes = web.RouteTableDef()


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.StreamResponse:
    if request[keys.CURRENT] is not None:
        raise web.HTTPSeeOther(_safe_next(request.query.get("next")))
    return _login_page(request, next_url=request.query.get("next", "/"))


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/")))
    settings = request.app[web_keys.SETTINGS]
    access_log = request.app[keys.ACCESS_LOG]

    since = access_log.now() - timedelta(minutes=settings.login_window_minutes)
    failures = await asyncio.to_thread(access_log.count_since, "login_failed", username, since)
    if failures >= settings.login_max_failures:
        await security.record(request, "login_failed", username=username, detail="尝试过多，已暂停")
        message = f"登录失败次数过多，请 {settings.login_window_minutes} 分钟后再试。"
        return _login_page(request, next_url=next_url, error=message, status=429)

    creds = await asyncio.to_thread(request.app[keys.ACCOUNTS].credentials, username)
    # A missing or disabled user still costs one hash check, so timing tells nothing.
    stored = creds.password_hash if creds is not None else passwords.dummy_hash()
    ok = await asyncio.to_thread(passwords.verify_password, stored, password)
    if creds is None or creds.user.disabled or not ok:
        reason = (
            "用户不存在" if creds is None else "用户已停用" if creds.user.disabled else "密码错误"
        )
        await security.record(request, "login_failed", username=username, detail=reason)
        return _login_page(
            request, next_url=next_url, error="用户名或密码错误。", status=401, username=username
        )

    if passwords.needs_rehash(creds.password_hash):
        new_hash = await asyncio.to_thread(passwords.hash_password, password)
        await asyncio.to_thread(request.app[keys.ACCOUNTS].set_password, username, new_hash)
    await security.record(request, "login", user=creds.user)
    response = security.see_other(next_url)
    await security.start_session(request, response, creds.user)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.StreamResponse:
    if request[keys.CURRENT] is not None:
        await security.record(request, "logout")
    response = security.see_other("/login")
    await security.end_session(request, response)
    return response


def _login_page(
    request: web.Request,
    *,
    next_url: str,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> web.Response:
    security.new_csrf_cookie(request)
    response = render(
        request,
        "login.html",
        {"next": _safe_next(next_url), "error": error, "username": username},
        status=status,
    )
    security.set_csrf_cookie(request, response)
    return response


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (``//evil``, ``/\\evil``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
