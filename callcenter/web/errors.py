"""Error pages: every refusal and failure is a page of the site, in Chinese, in the page
frame, with a link back, never aiohttp's plain English text or a traceback.

A handler refuses with an aiohttp ``HTTPException`` whose ``text`` says what was wrong
in Chinese (``raise web.HTTPNotFound(text="没有编号为 7 的录音")``), or with
``callcenter.web.params.BadParameter`` for a value no form sends; an exception raised
without one (a path no route matches, a method a route does not take, a body too big)
gets the status's own words. Anything else a handler raises is logged and answered
with the 500 page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callcenter.web.params import BadParameter
from callcenter.web.templating import render

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# status -> (title, what to do about it)
PAGES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "请求中的参数无效，请返回后重新填写。"),
    403: ("无权访问", "您的角色无权进行此项操作。"),
    404: ("页面不存在", "您要打开的页面不存在，请检查地址是否正确。"),
    405: ("不支持的请求方式", "此页面不接受这种请求方式，请从页面上的链接或按钮进入。"),
    409: ("无法提供", "所请求的内容当前不能提供。"),
    413: ("提交的内容过大", "提交的内容超过了允许的大小。"),
    416: ("请求的范围无效", "请求的录音片段超出了文件范围。"),
    429: ("请求过于频繁", "请求过于频繁，请稍后再试。"),
    500: ("服务器出错", "服务器处理请求时出错，错误已记录，请稍后重试。"),
    503: ("服务暂不可用", "服务暂时不可用，请稍后重试。"),
}
# A record the address names does not exist (a call, a recording), as against a page.
NOT_FOUND_RECORD = "找不到记录"

# Headers of the refusal that still apply to the page that replaces it.
_KEPT_HEADERS = ("Allow", "Retry-After", "Set-Cookie")


def error_page(
    request: web.Request,
    status: int,
    message: str | None = None,
    *,
    title: str | None = None,
) -> web.Response:
    """The error page for ``status``; ``message`` says what was wrong, in Chinese."""
    default_title, default_message = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    return render(
        request,
        "error.html",
        {"title": title or default_title, "message": message or default_message, "status": status},
        status=status,
    )


@web.middleware
async def error_pages_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        page = error_page(request, exc.status, _message(exc), title=_title(request, exc))
        for name in _KEPT_HEADERS:
            for value in exc.headers.getall(name, ()):
                page.headers.add(name, value)
        return page
    except BadParameter as exc:
        return error_page(request, 400, exc.message)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return error_page(request, 500)


def _message(exc: web.HTTPException) -> str | None:
    """The handler's own words, if it gave any (aiohttp's default is "404: Not Found")."""
    text = exc.text
    if not text or text == f"{exc.status}: {exc.reason}":
        return None
    return text


def _title(request: web.Request, exc: web.HTTPException) -> str | None:
    # A route matched but what it names does not exist: a call or a recording.
    if exc.status == 404 and request.match_info.route.resource is not None:
        return NOT_FOUND_RECORD
    return None
