"""The agents' pages, plugged into the web application: the agent screen, the call-back
queue, the supervisor's list of live takeovers with listen-in, and agent management.

``setup`` adds the routes and a cleanup context that opens what the pages need beside
the database: the notifications from the processes placing calls (Redis), and an ARI
client of the web process's own application (phone states, listen-in, pushing agents).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from callcenter.agents.admin import AgentAdmin
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.listen import ListenIn
from callcenter.agents.notifier import make_notifier
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.agents.views import _stream as agent_stream
from callcenter.agents.views import admin as agents_admin
from callcenter.agents.views import callbacks, supervise
from callcenter.agents.views import desk as agent_desk
from callcenter.agents.views import keys as agent_keys
from callcenter.telephony.ari.client import AriClient
from callcenter.web import keys


def setup(app: web.Application) -> None:
    """Add the agents' routes; call after the database's cleanup context is added."""
    for module in (agent_desk, callbacks, supervise, agents_admin):
        app.router.add_routes(module.routes)
    app.cleanup_ctx.append(_services)
    app.on_shutdown.append(agent_stream.stop_streams)


async def _services(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    sessions = app[keys.LEDGER].sessions
    roster = AgentRoster(sessions)
    takeovers = TakeoverLog(sessions)
    app[agent_keys.ROSTER] = roster
    app[agent_keys.TAKEOVERS] = takeovers
    app[agent_keys.CALLBACKS] = CallbackTasks(sessions)
    app[agent_keys.STOPPING] = asyncio.Event()
    ari_settings = settings.ari.model_copy(update={"app": settings.agents.listen_app})
    async with (
        make_notifier(settings.agents.events_url, settings.agents.events_channel) as notifier,
        AriClient(ari_settings) as ari,
    ):
        listen = ListenIn(ari, roster, takeovers, settings.agents)
        app[agent_keys.NOTIFIER] = notifier
        app[agent_keys.PRESENCE] = Presence(ari)
        app[agent_keys.LISTEN] = listen
        app[agent_keys.ADMIN] = AgentAdmin(roster, ari, settings.agents)
        try:
            yield
        finally:
            await listen.close()
