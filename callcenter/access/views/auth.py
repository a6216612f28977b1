"""Logging in and out."""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.access import keys, passwords, security
from callcenter.access.destination import safe_next
from callcenter.access.throttle import Held
from callcenter.web import params
from callcenter.web.templating import render

routes = web.RouteTableDef()


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.StreamResponse:
    next_url = safe_next(request.query.get("next"))
    if request[keys.CURRENT] is not None:
        # set as it is: aiohttp's redirect would re-parse it (and drop what was encoded)
        return security.see_other(next_url)
    return _login_page(request, next_url=next_url)


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    typed = str(form.get("username", ""))
    password = str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "/")))
    try:
        username = params.text(typed, "用户名", limit=100)
    except params.BadParameter as exc:
        await security.record(
            request, "login_failed", username=params.shown(typed, 64), detail=exc.message
        )
        return _login_page(request, next_url=next_url, error=exc.message, status=400)

    throttle = request.app[keys.THROTTLE]
    remote = request.remote or ""
    # Counted as a failure before the password is checked, so concurrent guesses are
    # held back too; given back below when the password is right.
    admission = await asyncio.to_thread(throttle.admit, username, remote)
    if not admission.allowed:
        held = "账号" if admission.held_by is Held.ACCOUNT else "来源地址"
        await security.record(
            request, "login_failed", username=username, detail=f"尝试过多，已暂停（{held}）"
        )
        response = _login_page(
            request,
            next_url=next_url,
            error=f"登录失败次数过多，请{_wait_words(admission.retry_after_seconds)}后再试。",
            status=429,
        )
        response.headers["Retry-After"] = str(admission.retry_after_seconds)
        return response

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

    await asyncio.to_thread(throttle.succeeded, username, remote)
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
        {"next": safe_next(next_url), "error": error, "username": username},
        status=status,
    )
    security.set_csrf_cookie(request, response)
    return response


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f" {seconds} 秒"
    return f" {-(-seconds // 60)} 分钟"
