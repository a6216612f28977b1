"""The agents' pages, plugged into the web application: the agent screen, the call-back
queue, the supervisor's list of live takeovers with listen-in, and agent management.

``setup`` adds the routes and a cleanup context that opens what the pages need beside
the database: the notifications from the processes placing calls (Redis), and an ARI
client of the web process's own application (phone states, listen-in, pushing agents).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from callcenter.agents.admin import AgentAdmin
from callcenter.agents.click_to_dial import ClickToDial, Paths
from callcenter.agents.config import AgentSettings
from callcenter.agents.listen import ListenIn
from callcenter.agents.notifier import make_notifier
from callcenter.agents.presence import Presence
from callcenter.agents.views import _stream as agent_stream
from callcenter.agents.views import admin as agents_admin
from callcenter.agents.views import callbacks, supervise
from callcenter.agents.views import desk as agent_desk
from callcenter.agents.views import keys as agent_keys
from callcenter.calls.config import DialSettings
from callcenter.kernel.clock import Clock
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.config import AriSettings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class ClickSetup:
    """What click-to-dial needs beside the agents' own settings."""

    dial: DialSettings
    paths: Paths
    clock: Clock


def setup(
    app: web.Application,
    settings: AgentSettings,
    ari: AriSettings,
    click: ClickSetup | None = None,
) -> None:
    """Add the agents' routes. ``ari`` is the connection the calls use: the pages speak
    as their own application, ``settings.listen_app``. With ``click``, the pages can
    place click-to-dial calls (``CLICK``).

    Call after the cleanup context that sets ``ROSTER``, ``TAKEOVERS``, ``CALLBACKS`` and
    ``CALLS`` is added: the services opened here use them.
    """
    for module in (agent_desk, callbacks, supervise, agents_admin):
        app.router.add_routes(module.routes)
    listen_ari = ari.model_copy(update={"app": settings.listen_app})
    app.cleanup_ctx.append(_services(settings, listen_ari, click))
    app.on_shutdown.append(agent_stream.stop_streams)


def _services(
    settings: AgentSettings, ari_settings: AriSettings, click: ClickSetup | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        roster = app[agent_keys.ROSTER]
        takeovers = app[agent_keys.TAKEOVERS]
        app[agent_keys.STOPPING] = asyncio.Event()
        async with (
            make_notifier(settings.events_url, settings.events_channel) as notifier,
            AriClient(ari_settings) as ari,
        ):
            listen = ListenIn(ari, roster, takeovers, settings)
            app[agent_keys.NOTIFIER] = notifier
            app[agent_keys.PRESENCE] = Presence(ari)
            app[agent_keys.LISTEN] = listen
            app[agent_keys.ADMIN] = AgentAdmin(roster, ari, settings)
            dialer = None
            if click is not None:
                dialer = ClickToDial(
                    ari,
                    listen.router,
                    roster,
                    app[agent_keys.CALLS],
                    settings,
                    click.dial,
                    click.paths,
                    click.clock,
                    listen.ensure_connected,
                )
                app[agent_keys.CLICK] = dialer
            try:
                yield
            finally:
                if dialer is not None:
                    await dialer.close()
                await listen.close()

    return context
