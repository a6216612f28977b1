"""访问记录: the access log, for those whose role may read it."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from callcenter.access import keys
from callcenter.access.log import ACTION_LABELS
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.web import params
from callcenter.web.templating import render

routes = web.RouteTableDef()

PAGE_SIZE = 100


@routes.get("/access-log", name="access_log")
@requires(Permission.READ_ACCESS_LOG)
async def access_log_page(request: web.Request) -> web.StreamResponse:
    username = params.text(request.query.get("user", ""), "用户", limit=64)
    action = request.query.get("action", "").strip()
    if action not in ACTION_LABELS:
        action = ""
    attempt_id = params.text(request.query.get("attempt", ""), "通话编号", limit=64)
    page = params.page(request.query.get("page"))
    result = await asyncio.to_thread(
        request.app[keys.ACCESS_LOG].entries,
        username=username or None,
        action=action or None,
        attempt_id=attempt_id or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    kept = {k: v for k, v in (("user", username), ("action", action), ("attempt", attempt_id)) if v}
    return render(
        request,
        "access_log.html",
        {
            "entries": result.entries,
            "total": result.total,
            "page": page,
            "pages": max(1, -(-result.total // PAGE_SIZE)),
            "params": {"user": username, "action": action, "attempt": attempt_id},
            "actions": ACTION_LABELS,
            "page_link": lambda p: "/access-log?" + urlencode({**kept, "page": p}),
        },
    )
