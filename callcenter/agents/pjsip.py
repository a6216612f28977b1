"""Agents as PJSIP objects, pushed to a running Asterisk over ARI: no restart, no reload.

Each agent is three sorcery objects of one id: an ``auth`` (the digest), an ``aor``
(one registered phone) and an ``endpoint``. ``dialplans/sorcery.conf`` gives these a
store ARI can write (``PUT/DELETE /asterisk/config/dynamic/res_pjsip/{type}/{id}``):
auths and aors in the AstDB, endpoints in Asterisk's memory, because the AstDB store
reads every field of an endpoint back on each lookup, the deprecated ``stir_shaken``
included, whose reader logs a warning each time (twice per qualify of every phone).
The static trunk stays in pjsip.conf. The ledger is the source of truth: ``sync``
pushes it again when a controller starts, and the takeover desk pushes any agent
Asterisk no longer has (it restarted) as soon as it notices.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from callcenter.agents.config import AgentSettings
from callcenter.agents.roster import AgentView
from callcenter.kernel.errors import AgentError, AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient

log = logging.getLogger(__name__)

BASE = "/asterisk/config/dynamic/res_pjsip"


def objects(agent: AgentView, settings: AgentSettings) -> list[tuple[str, dict[str, str]]]:
    """(type, fields) of the agent's sorcery objects, in the order they must be created."""
    login = agent.login
    return [
        (
            "auth",
            {
                "auth_type": "digest",
                "username": login,
                "realm": agent.realm,
                "password_digest": agent.password_digest,
            },
        ),
        (
            "aor",
            {
                "max_contacts": "1",
                # a phone that re-registers from a new address replaces the old binding
                "remove_existing": "yes",
                "qualify_frequency": str(settings.qualify_frequency),
                "qualify_timeout": f"{settings.qualify_timeout:g}",
            },
        ),
        (
            "endpoint",
            {
                "transport": settings.transport,
                "context": settings.context,
                "disallow": "all",
                "allow": settings.codecs,
                "auth": login,
                "aors": login,
                "direct_media": "no",
                "dtmf_mode": "rfc4733",
                "rtp_timeout": "60",
            },
        ),
    ]


class PjsipPush:
    def __init__(self, ari: AriClient, settings: AgentSettings) -> None:
        self.ari = ari
        self.settings = settings

    async def push(self, agent: AgentView) -> None:
        """Create or update the agent's objects; an enabled agent can then register."""
        if not agent.enabled:
            await self.remove(agent.login)
            return
        for kind, fields in objects(agent, self.settings):
            if kind == "endpoint" and _holds(await self.fetch(kind, agent.login), fields):
                # rewriting an endpoint Asterisk already has copies it, and the copy
                # logs the stir_shaken warning again: leave an unchanged one alone
                continue
            body = {"fields": [{"attribute": k, "value": v} for k, v in fields.items()]}
            try:
                await self.ari.request("PUT", f"{BASE}/{kind}/{agent.login}", json=body)
            except AriError as exc:
                raise _explain(agent.login, kind, exc) from exc
        log.info("agent %s pushed to Asterisk", agent.login)

    async def remove(self, login: str) -> None:
        """Delete the agent's objects; its phone can no longer register or be rung."""
        for kind in ("endpoint", "aor", "auth"):
            try:
                await self.ari.request("DELETE", f"{BASE}/{kind}/{login}")
            except AriNotFound:
                continue
            except AriError as exc:
                raise _explain(login, kind, exc) from exc
        log.info("agent %s removed from Asterisk", login)

    async def sync(self, agents: list[AgentView]) -> int:
        """Push every agent as the ledger has it; return how many are enabled."""
        for agent in agents:
            await self.push(agent)
        return sum(1 for a in agents if a.enabled)

    async def fetch(self, kind: str, login: str) -> dict[str, str] | None:
        """The fields Asterisk holds for one object, or None if it has none."""
        try:
            result: list[dict[str, Any]] = await self.ari.request("GET", f"{BASE}/{kind}/{login}")
        except AriNotFound:
            return None
        return {str(t["attribute"]): str(t["value"]) for t in result}


def _holds(held: dict[str, str] | None, wanted: dict[str, str]) -> bool:
    """Whether an object as Asterisk reports it has the fields as we would push them
    (it writes yes as true, 2 as 2.000000 and a codec list as (ulaw|alaw))."""
    if held is None:
        return False
    return all(
        _normal(k, v) == _normal(k, held.get(k, "all" if k == "disallow" else ""))
        for k, v in wanted.items()
    )


def _normal(field: str, value: str) -> object:
    value = value.strip().lower()
    if field in ("allow", "disallow"):
        return frozenset(c for c in re.split(r"[|,()\s]+", value) if c)
    if value in ("yes", "true", "no", "false"):
        return value in ("yes", "true")
    try:
        return float(value)
    except ValueError:
        return value


def _explain(login: str, kind: str, exc: AriError) -> AgentError:
    if exc.status == 403:
        return AgentError(
            f"Asterisk refused to store the {kind} of agent {login!r} (HTTP 403): its "
            "sorcery.conf must give res_pjsip endpoints, aors and auths a store ARI can "
            "write (see dialplans/sorcery.conf)"
        )
    return AgentError(f"pushing the {kind} of agent {login!r} to Asterisk failed: {exc}")
