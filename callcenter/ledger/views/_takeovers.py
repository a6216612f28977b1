"""A call's takeovers and call-backs, for the call's page: who was rung, who talked,
what the agent recorded. Notes on reports of misconduct only for the roles allowed."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from callcenter.access import keys
from callcenter.access.permissions import Permission, allowed
from callcenter.agents.views import keys as agent_keys


async def takeover_context(request: web.Request, attempt_id: str) -> dict[str, Any]:
    current = request[keys.CURRENT]
    takeovers = await asyncio.to_thread(request.app[agent_keys.TAKEOVERS].for_attempt, attempt_id)
    callbacks = await asyncio.to_thread(request.app[agent_keys.CALLBACKS].for_attempt, attempt_id)
    return {
        "takeovers": takeovers,
        "callbacks": callbacks,
        "see_misconduct": current is not None
        and allowed(current.user.role, Permission.SEE_MISCONDUCT),
    }
