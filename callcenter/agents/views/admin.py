"""Agents' SIP accounts, for administrators: add (the password is shown once), disable,
enable. The same operations as ``callcenter agent``; Asterisk gets them at once."""

from __future__ import annotations

from aiohttp import web

from callcenter.access import security
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.agents.admin import Added
from callcenter.agents.views import keys as agent_keys
from callcenter.kernel.errors import AgentError
from callcenter.web.templating import render

routes = web.RouteTableDef()


async def _page(
    request: web.Request, *, added: Added | None = None, error: str = "", warning: str = ""
) -> web.StreamResponse:
    rows = await request.app[agent_keys.ADMIN].status()
    return render(
        request,
        "agents_admin.html",
        {"rows": rows, "added": added, "error": error, "warning": warning},
        status=400 if error else 200,
    )


@routes.get("/agents", name="agents_admin")
@requires(Permission.MANAGE_AGENTS)
async def listing(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@routes.post("/agents", name="agents_add")
@requires(Permission.MANAGE_AGENTS)
async def add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    login = str(form.get("login", "")).strip()
    name = str(form.get("name", "")).strip()
    kind = str(form.get("kind", "agent"))
    try:
        added = await request.app[agent_keys.ADMIN].add(login, name or login, None, kind)
    except AgentError as exc:
        return await _page(request, error=str(exc))
    await security.record(request, "user_added", detail=f"坐席话机 {login}（{kind}）")
    # rendered, not redirected: the password must not travel in a URL
    return await _page(request, added=added, warning=added.not_pushed or "")


@routes.post("/agents/{login}/{action:disable|enable}", name="agents_toggle")
@requires(Permission.MANAGE_AGENTS)
async def toggle(request: web.Request) -> web.StreamResponse:
    login = request.match_info["login"]
    admin = request.app[agent_keys.ADMIN]
    try:
        if request.match_info["action"] == "disable":
            _, warning = await admin.disable(login)
            await security.record(request, "user_disabled", detail=f"坐席话机 {login}")
        else:
            _, warning = await admin.enable(login)
    except AgentError as exc:
        return await _page(request, error=str(exc))
    if warning:
        return await _page(request, warning=warning)
    return security.see_other("/agents")
