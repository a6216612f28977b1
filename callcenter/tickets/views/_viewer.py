"""Who is looking, as the ticket rules see them (role and bound unit), and the answers
to someone who may not look."""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.access import keys as access_keys
from callcenter.access import security
from callcenter.access.permissions import Permission, allowed
from callcenter.access.security import Handler
from callcenter.kernel.errors import TicketDenied, TicketNotFound
from callcenter.tickets.scope import Actor
from callcenter.tickets.views import keys
from callcenter.web.templating import render

_ACTOR: web.RequestKey[Actor] = web.RequestKey("ticket_actor")


async def actor(request: web.Request) -> Actor:
    """The logged-in user with the unit they are bound to (``requires`` let them in)."""
    if _ACTOR not in request:
        current = request[access_keys.CURRENT]
        assert current is not None
        service = request.app[keys.SERVICE]
        request[_ACTOR] = await asyncio.to_thread(service.actor, current.user.username)
    return request[_ACTOR]


async def denied(request: web.Request, error: TicketDenied) -> web.Response:
    """403 in the user's words, written to the access log."""
    await security.record(request, "denied", detail=f"{request.method} {request.path}：{error}")
    return render(request, "error.html", {"title": "无权访问", "message": str(error)}, status=403)


def not_found(request: web.Request, error: TicketNotFound) -> web.Response:
    return render(request, "error.html", {"title": "没有此工单", "message": str(error)}, status=404)


@web.middleware
async def home_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    current = request.get(access_keys.CURRENT)
    if request.path == "/" and request.method == "GET" and current is not None:
        role = current.user.role
        if not allowed(role, Permission.VIEW_LEDGER) and allowed(role, Permission.VIEW_TICKETS):
            raise web.HTTPSeeOther("/tickets")
    return await handler(request)
