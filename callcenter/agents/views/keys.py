"""Typed application keys of the agents' pages (see ``agent_pages``)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.agents.admin import AgentAdmin
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.click_to_dial import ClickToDial
from callcenter.agents.listen import ListenIn
from callcenter.agents.notifier import LocalNotifier, RedisNotifier
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger

ROSTER = web.AppKey("agent_roster", AgentRoster)
TAKEOVERS = web.AppKey("takeovers", TakeoverLog)
CALLBACKS = web.AppKey("callbacks", CallbackTasks)
NOTIFIER: web.AppKey[RedisNotifier | LocalNotifier] = web.AppKey("agent_notifier")
PRESENCE = web.AppKey("agent_presence", Presence)
LISTEN = web.AppKey("listen_in", ListenIn)
ADMIN = web.AppKey("agent_admin", AgentAdmin)
# the calls' store, for click-to-dial's ledger rows
CALLS = web.AppKey("calls_store", Ledger)
# set when the web process can place click-to-dial calls (see ``routes.setup``)
CLICK = web.AppKey("click_to_dial", ClickToDial)
# set when the application shuts down: the live streams end
STOPPING = web.AppKey("agent_streams_stopping", asyncio.Event)
