"""The agent screen: who is calling, the case, the answers so far and the rule that fired,
live while the agent's phone rings; the ready switch; the outcome and note form.

The web user and the agent's SIP account share one name (``callcenter agent add NAME``
and ``callcenter user add NAME --role agent``). Live updates are server-sent events:
a notification from the process placing the call makes the stream read the ledger
again; a periodic refresh covers a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web

from callcenter.access import keys, security
from callcenter.access.permissions import Permission, allowed
from callcenter.access.security import requires
from callcenter.agents.notifier import Change
from callcenter.agents.presence import PhoneState
from callcenter.agents.roster import AgentView
from callcenter.agents.tables import AGENT_OUTCOMES
from callcenter.agents.views import keys as agent_keys
from callcenter.agents.views._screen import screen_state
from callcenter.agents.views._stream import next_change, stopping
from callcenter.kernel.errors import AgentError, AriError
from callcenter.web.templating import render

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

# a stream ends after this long and the browser reconnects, which checks the session again
STREAM_SECONDS = 300.0
REFRESH_SECONDS = 10.0


def _login(request: web.Request) -> str:
    current = request[keys.CURRENT]
    assert current is not None  # requires() let the request in
    return current.user.username


async def _phone(request: web.Request, login: str) -> PhoneState | None:
    try:
        async with asyncio.timeout(3):
            return await request.app[agent_keys.PRESENCE].phone(login)
    except (AriError, TimeoutError) as exc:
        log.info("phone state of %s unknown: %s", login, exc)
        return None


async def _state(request: web.Request, agent: AgentView) -> dict[str, Any]:
    takeovers = request.app[agent_keys.TAKEOVERS]
    current = await asyncio.to_thread(takeovers.current_for, agent.login)
    return screen_state(agent, await _phone(request, agent.login), current)


@routes.get("/agent", name="agent_desk")
@requires(Permission.TAKE_CALLS)
async def desk(request: web.Request) -> web.StreamResponse:
    login = _login(request)
    agent = await asyncio.to_thread(request.app[agent_keys.ROSTER].find, login)
    if agent is None:
        return render(request, "agent.html", {"agent": None, "login": login})
    state = await _state(request, agent)
    recent = await asyncio.to_thread(request.app[agent_keys.TAKEOVERS].recent, 10, login)
    current = request[keys.CURRENT]
    assert current is not None
    return render(
        request,
        "agent.html",
        {
            "agent": agent,
            "login": login,
            "state": state,
            "recent": recent,
            "outcomes": AGENT_OUTCOMES,
            "see_misconduct": allowed(current.user.role, Permission.SEE_MISCONDUCT),
            "saved": request.query.get("saved") == "1",
            "error": request.query.get("error", ""),
        },
    )


@routes.get("/agent/events", name="agent_events")
@requires(Permission.TAKE_CALLS)
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``state`` with the screen's data whenever it changes."""
    login = _login(request)
    roster = request.app[agent_keys.ROSTER]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    last = ""
    async with request.app[agent_keys.NOTIFIER].subscribe() as changes:
        with contextlib.suppress(ConnectionResetError, ConnectionError):
            await response.write(b"retry: 1000\n\n")
            while loop.time() < deadline and not stopping(request.app):
                agent = await asyncio.to_thread(roster.find, login)
                if agent is None:
                    break
                text = json.dumps(await _state(request, agent), ensure_ascii=False)
                if text != last:
                    await response.write(f"event: state\ndata: {text}\n\n".encode())
                    last = text
                else:
                    await response.write(b": still here\n\n")
                wait = min(REFRESH_SECONDS, deadline - loop.time())
                if await next_change(request.app, changes, wait) is not None:
                    # changes come in bursts (ringing, answered, bridged): read once
                    await asyncio.sleep(0.05)
                    while not changes.empty():
                        changes.get_nowait()
    return response


@routes.post("/agent/ready", name="agent_ready")
@requires(Permission.TAKE_CALLS)
async def set_ready(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    ready = form.get("ready") == "1"
    login = _login(request)
    try:
        await asyncio.to_thread(request.app[agent_keys.ROSTER].set_ready, login, ready)
    except AgentError as exc:
        return security.see_other(f"/agent?error={_quote(str(exc))}")
    await request.app[agent_keys.NOTIFIER].publish(_agent_change(login))
    return security.see_other("/agent")


@routes.post("/agent/takeovers/{takeover_id:\\d+}/outcome", name="agent_outcome")
@requires(Permission.TAKE_CALLS)
async def record_outcome(request: web.Request) -> web.StreamResponse:
    """The agent's outcome and note; it goes into the call's record and the 台账's 备注."""
    takeover_id = int(request.match_info["takeover_id"])
    login = _login(request)
    takeovers = request.app[agent_keys.TAKEOVERS]
    view = await asyncio.to_thread(takeovers.view, takeover_id)
    current = request[keys.CURRENT]
    assert current is not None
    if view.agent_login != login and current.user.role != "admin":
        await security.record(
            request,
            "denied",
            attempt_id=view.attempt_id,
            detail=f"坐席记录：转接 {takeover_id} 由 {view.agent_login or '无人'} 接听",
        )
        raise web.HTTPForbidden(text="这通转接不是由您接听的。")
    form = await request.post()
    try:
        await asyncio.to_thread(
            takeovers.record_outcome,
            takeover_id,
            login,
            str(form.get("outcome", "")),
            str(form.get("note", "")),
        )
    except AgentError as exc:
        return security.see_other(f"/agent?error={_quote(str(exc))}")
    await request.app[agent_keys.NOTIFIER].publish(_agent_change(login, takeover_id))
    return security.see_other("/agent?saved=1")


def _agent_change(login: str, takeover_id: int | None = None) -> Change:
    return Change("agent", takeover_id, (login,))


def _quote(text: str) -> str:
    return quote(text[:200], safe="")
