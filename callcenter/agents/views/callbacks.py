"""The agents' queue of call-backs: applicants a takeover rule picked out whom nobody
could take. Calling back needs the number: showing it in full is written to the access
log. Reports of misconduct are listed only for the roles allowed to see them."""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.access import keys, security
from callcenter.access.permissions import Permission, allowed
from callcenter.access.security import requires
from callcenter.agents.callbacks import CallbackView
from callcenter.agents.views import keys as agent_keys
from callcenter.kernel.errors import AgentError
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()


def _see_misconduct(request: web.Request) -> bool:
    current = request[keys.CURRENT]
    return current is not None and allowed(current.user.role, Permission.SEE_MISCONDUCT)


async def _task(request: web.Request) -> CallbackView:
    task_id = int(request.match_info["task_id"])
    try:
        task = await asyncio.to_thread(request.app[agent_keys.CALLBACKS].get, task_id)
    except AgentError:
        raise web.HTTPNotFound(text="没有这条回电任务。") from None
    if task.misconduct and not _see_misconduct(request):
        await security.record(
            request, "denied", attempt_id=task.attempt_id, detail=f"回电任务 {task_id}（线索）"
        )
        raise web.HTTPNotFound(text="没有这条回电任务。")
    return task


async def _page(
    request: web.Request, revealed: int | None = None, error: str = ""
) -> web.StreamResponse:
    tasks = await asyncio.to_thread(
        request.app[agent_keys.CALLBACKS].queue, include_misconduct=_see_misconduct(request)
    )
    rows = [(t, t.case.phone if t.id == revealed else mask_phone(t.case.phone)) for t in tasks]
    return render(
        request,
        "callbacks.html",
        {"rows": rows, "revealed": revealed, "error": error, "done": request.query.get("done")},
    )


@routes.get("/agent/callbacks", name="callbacks")
@requires(Permission.TAKE_CALLS)
async def queue(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@routes.post("/agent/callbacks/{task_id:\\d+}/reveal", name="callback_reveal")
@requires(Permission.TAKE_CALLS)
async def reveal(request: web.Request) -> web.StreamResponse:
    task = await _task(request)
    await security.record(
        request, "reveal_phone", attempt_id=task.attempt_id, detail=f"回电任务 {task.id}"
    )
    return await _page(request, revealed=task.id)


@routes.post("/agent/callbacks/{task_id:\\d+}/done", name="callback_done")
@requires(Permission.TAKE_CALLS)
async def done(request: web.Request) -> web.StreamResponse:
    task = await _task(request)
    form = await request.post()
    current = request[keys.CURRENT]
    assert current is not None
    try:
        await asyncio.to_thread(
            request.app[agent_keys.CALLBACKS].finish,
            task.id,
            current.user.username,
            str(form.get("note", "")),
        )
    except AgentError as exc:
        return await _page(request, error=str(exc))
    return security.see_other(f"/agent/callbacks?done={task.id}")
