"""Sessions, CSRF and permission checks, the access log, and every page's headers.

A session is a random token in an HttpOnly cookie; the database keeps only its
SHA-256 (``Accounts``). Every POST carries the session's CSRF token in a form field
(before login, the token of a double-submit cookie) and must come from this site.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import quote, urlsplit

from aiohttp import web

from callcenter.access import keys
from callcenter.access.accounts import UserView
from callcenter.access.log import needs
from callcenter.access.permissions import Permission, allowed
from callcenter.access.viewer import SessionViewer
from callcenter.kernel.errors import LedgerUnavailable
from callcenter.web import keys as web_keys
from callcenter.web.templating import render

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "media-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


def see_other(location: str) -> web.Response:
    """A 303 to ``location`` that a handler can set cookies on and return."""
    return web.Response(status=303, headers={"Location": location})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _is_static(request: web.Request) -> bool:
    return request.path.startswith("/static/")


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure_headers(request, exc)
        raise
    _secure_headers(request, response)
    return response


def _secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    h = response.headers
    h.setdefault("Content-Security-Policy", _CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    if not _is_static(request):
        # Pages hold personal data: nothing of them is kept in shared or browser caches.
        h.setdefault("Cache-Control", "no-store")


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except LedgerUnavailable as exc:
        log.error("database unavailable for %s %s: %s", request.method, request.path, exc)
        return render(
            request,
            "error.html",
            {"title": "数据库暂不可用", "message": "台账数据库暂时无法访问，请稍后重试。"},
            status=503,
        )


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    current = None
    token = request.cookies.get(keys.SESSION_COOKIE)
    if token and not _is_static(request):
        accounts = request.app[keys.ACCOUNTS]
        current = await asyncio.to_thread(accounts.session, token_hash(token))
    request[keys.CURRENT] = current
    csrf = current.csrf_token if current is not None else request.cookies.get(keys.CSRF_COOKIE)
    request[web_keys.VIEWER] = SessionViewer(current, csrf or "")
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in _UNSAFE_METHODS:
        problem = _cross_site(request) or await _bad_token(request)
        if problem:
            log.warning(
                "refused %s %s from %s: %s", request.method, request.path, request.remote, problem
            )
            return render(
                request,
                "error.html",
                {"title": "请求无效", "message": "页面已过期或来源不明，请返回刷新后重试。"},
                status=403,
            )
    return await handler(request)


def _cross_site(request: web.Request) -> str | None:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return "cross-site request"
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return f"origin {origin!r} is not {request.host!r}"
    return None


async def _bad_token(request: web.Request) -> str | None:
    form = await request.post()
    sent = form.get(keys.CSRF_FIELD)
    current = request[keys.CURRENT]
    expected = current.csrf_token if current is not None else request.cookies.get(keys.CSRF_COOKIE)
    if not isinstance(sent, str) or not expected:
        return "CSRF token missing"
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        return "CSRF token does not match"
    return None


def requires(permission: Permission) -> Callable[[Handler], Handler]:
    """Let the request through only for a logged-in user whose role has ``permission``.

    Anonymous requests go to the login page; a logged-in user without the permission
    gets 403, and the attempt is written to the access log.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            current = request[keys.CURRENT]
            if current is None:
                target = request.path_qs if request.method == "GET" else "/"
                raise web.HTTPSeeOther(f"/login?next={quote(target, safe='')}")
            if not allowed(current.user.role, permission):
                await record(
                    request, "denied", detail=f"{request.method} {request.path} {needs(permission)}"
                )
                return render(
                    request,
                    "error.html",
                    {"title": "无权访问", "message": "您的角色无权进行此项操作，此次访问已记录。"},
                    status=403,
                )
            return await handler(request)

        return wrapper

    return decorate


async def record(
    request: web.Request,
    action: str,
    *,
    user: UserView | None = None,
    username: str | None = None,
    attempt_id: str | None = None,
    recording_id: int | None = None,
    detail: str = "",
) -> None:
    """Append to the access log on behalf of the request's user (or ``user``)."""
    current = request[keys.CURRENT]
    who = user or (current.user if current is not None else None)
    await asyncio.to_thread(
        request.app[keys.ACCESS_LOG].record,
        action,
        username=who.username if who is not None else (username or ""),
        user_id=who.id if who is not None else None,
        role=who.role if who is not None else None,
        attempt_id=attempt_id,
        recording_id=recording_id,
        detail=detail,
        remote=request.remote or "",
    )


async def grant_reveal(request: web.Request, attempt_id: str, lasting: timedelta) -> None:
    """Let this session's next page of the call show its full phone number once."""
    token = request.cookies.get(keys.SESSION_COOKIE)
    if token:
        await asyncio.to_thread(
            request.app[keys.ACCOUNTS].grant_reveal, token_hash(token), attempt_id, lasting
        )


async def take_reveal(request: web.Request, attempt_id: str) -> bool:
    """Whether this page of the call shows the full number (granted just before)."""
    token = request.cookies.get(keys.SESSION_COOKIE)
    if not token or request[keys.CURRENT] is None:
        return False
    return await asyncio.to_thread(
        request.app[keys.ACCOUNTS].take_reveal, token_hash(token), attempt_id
    )


async def start_session(request: web.Request, response: web.StreamResponse, user: UserView) -> None:
    """Log ``user`` in: a fresh token, so none known before login is worth anything."""
    token = secrets.token_urlsafe(32)
    await asyncio.to_thread(
        request.app[keys.ACCOUNTS].open_session,
        user.id,
        token_hash(token),
        secrets.token_urlsafe(32),
    )
    response.set_cookie(
        keys.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=request.app[web_keys.SETTINGS].secure_cookies,
        path="/",
    )
    response.del_cookie(keys.CSRF_COOKIE, path="/")


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(keys.SESSION_COOKIE)
    if token:
        await asyncio.to_thread(request.app[keys.ACCOUNTS].close_session, token_hash(token))
    response.del_cookie(keys.SESSION_COOKIE, path="/")


def new_csrf_cookie(request: web.Request) -> str:
    """The login form's token: the cookie's if there is one, else a new one to set."""
    existing = request.cookies.get(keys.CSRF_COOKIE)
    if existing:
        return existing
    token = secrets.token_urlsafe(32)
    request[keys.NEW_CSRF_COOKIE] = token
    if request.get(keys.CURRENT) is None:
        # the form about to be rendered posts the token this response's cookie will hold
        request[web_keys.VIEWER] = SessionViewer(None, token)
    return token


def set_csrf_cookie(request: web.Request, response: web.StreamResponse) -> None:
    token = request.get(keys.NEW_CSRF_COOKIE)
    if token:
        response.set_cookie(
            keys.CSRF_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=request.app[web_keys.SETTINGS].secure_cookies,
            path="/",
        )
