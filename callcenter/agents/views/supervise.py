"""The supervisor's page: takeovers in progress, listening in on one (listen only), and
the reports of misconduct (索拿卡要) with the agents' notes, for the roles allowed."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import quote

from aiohttp import web

from callcenter.access import keys, security
from callcenter.access.permissions import Permission, allowed
from callcenter.access.security import requires
from callcenter.agents.views import keys as agent_keys
from callcenter.agents.views._stream import next_change, stopping
from callcenter.kernel.errors import AgentError, AriError
from callcenter.web.templating import render

routes = web.RouteTableDef()

STREAM_SECONDS = 300.0


@routes.get("/supervise", name="supervise")
@requires(Permission.LISTEN_IN)
async def page(request: web.Request) -> web.StreamResponse:
    current = request[keys.CURRENT]
    assert current is not None
    me = current.user.username
    app = request.app
    live = await asyncio.to_thread(app[agent_keys.TAKEOVERS].live)
    phone = await asyncio.to_thread(app[agent_keys.ROSTER].find, me)
    see = allowed(current.user.role, Permission.SEE_MISCONDUCT)
    reports = []
    callbacks = []
    if see:
        recent = await asyncio.to_thread(app[agent_keys.TAKEOVERS].recent, 50)
        reports = [t for t in recent if t.misconduct]
        queue = await asyncio.to_thread(app[agent_keys.CALLBACKS].queue, include_misconduct=True)
        callbacks = [c for c in queue if c.misconduct]
    listening = [s for s in app[agent_keys.LISTEN].sessions.values() if s.supervisor == me]
    return render(
        request,
        "supervise.html",
        {
            "live": live,
            "phone": phone,
            "see_misconduct": see,
            "reports": reports,
            "callbacks": callbacks,
            "listening": listening,
            "message": request.query.get("message", ""),
            "error": request.query.get("error", ""),
        },
    )


@routes.get("/supervise/events", name="supervise_events")
@requires(Permission.LISTEN_IN)
async def events(request: web.Request) -> web.StreamResponse:
    """``changed`` whenever a takeover or an agent changes; the page then reloads."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"}
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    async with request.app[agent_keys.NOTIFIER].subscribe() as changes:
        with contextlib.suppress(ConnectionResetError, ConnectionError):
            await response.write(b"retry: 2000\n\n")
            while loop.time() < deadline and not stopping(request.app):
                change = await next_change(request.app, changes, min(15.0, deadline - loop.time()))
                if change is None:
                    await response.write(b": still here\n\n")
                    continue
                await response.write(f"event: changed\ndata: {change.kind}\n\n".encode())
    return response


@routes.post("/supervise/takeovers/{takeover_id:\\d+}/listen", name="listen_in")
@requires(Permission.LISTEN_IN)
async def listen(request: web.Request) -> web.StreamResponse:
    """Ring the supervisor's phone; on answer it hears the takeover, and nobody hears it."""
    takeover_id = int(request.match_info["takeover_id"])
    current = request[keys.CURRENT]
    assert current is not None
    try:
        view = await asyncio.to_thread(request.app[agent_keys.TAKEOVERS].view, takeover_id)
        await request.app[agent_keys.LISTEN].start(takeover_id, current.user.username)
    except (AgentError, AriError, TimeoutError) as exc:
        return security.see_other(f"/supervise?error={_quote(str(exc) or '监听失败')}")
    # hearing a live call is like hearing its recording: on the record
    await security.record(
        request,
        "play_recording",
        attempt_id=view.attempt_id,
        detail=f"实时监听转接 {takeover_id}（坐席 {view.agent_login}）",
    )
    return security.see_other(f"/supervise?message={_quote('正在呼叫您的话机，接听后即可监听。')}")


def _quote(text: str) -> str:
    return quote(text[:200], safe="")
