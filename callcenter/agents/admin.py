"""Adding, disabling and listing agents: the ledger first, then Asterisk.

The ledger is written first so that an agent added while Asterisk is down is not lost:
it is pushed by the next ``sync`` (every controller syncs when it starts).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from callcenter.agents import credentials
from callcenter.agents.config import AgentSettings
from callcenter.agents.pjsip import PjsipPush
from callcenter.agents.presence import PhoneState, Presence
from callcenter.agents.roster import AgentRoster, AgentView
from callcenter.kernel.errors import AgentError, AriError
from callcenter.telephony.ari.client import AriClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Added:
    agent: AgentView
    # shown once to the administrator, for the agent's softphone; never stored
    password: str = field(repr=False)
    # why Asterisk does not have the agent yet, if it does not
    not_pushed: str | None = None


@dataclass(frozen=True)
class AgentStatus:
    agent: AgentView
    phone: PhoneState | None  # None when Asterisk could not be asked


class AgentAdmin:
    def __init__(self, roster: AgentRoster, ari: AriClient, settings: AgentSettings) -> None:
        self.roster = roster
        self.ari = ari
        self.settings = settings
        self.push = PjsipPush(ari, settings)

    async def add(
        self, login: str, name: str, password: str | None = None, kind: str = "agent"
    ) -> Added:
        password = credentials.check_password(login, password or credentials.generate_password())
        digest = credentials.digest(login, self.settings.realm, password)
        agent = await asyncio.to_thread(
            self.roster.add, login, name, digest, self.settings.realm, kind
        )
        return Added(agent, password, await self._push(agent))

    async def set_password(self, login: str, password: str | None = None) -> Added:
        password = credentials.check_password(login, password or credentials.generate_password())
        digest = credentials.digest(login, self.settings.realm, password)
        agent = await asyncio.to_thread(
            self.roster.set_password, login, digest, self.settings.realm
        )
        return Added(agent, password, await self._push(agent))

    async def disable(self, login: str) -> tuple[AgentView, str | None]:
        agent = await asyncio.to_thread(self.roster.disable, login)
        return agent, await self._push(agent)

    async def enable(self, login: str) -> tuple[AgentView, str | None]:
        agent = await asyncio.to_thread(self.roster.enable, login)
        return agent, await self._push(agent)

    async def sync(self) -> int:
        return await self.push.sync(await asyncio.to_thread(self.roster.all))

    async def status(self) -> list[AgentStatus]:
        agents = await asyncio.to_thread(self.roster.all)
        try:
            phones: dict[str, PhoneState] | None = await Presence(self.ari).phones()
        except AriError as exc:
            log.warning("agents' phone states unknown: %s", exc)
            phones = None
        return [
            AgentStatus(
                a,
                None if phones is None else phones.get(a.login, PhoneState(a.login, False, 0)),
            )
            for a in agents
        ]

    async def _push(self, agent: AgentView) -> str | None:
        try:
            await self.push.push(agent)
        except (AgentError, AriError) as exc:
            log.warning("agent %s stored but not pushed to Asterisk: %s", agent.login, exc)
            return str(exc)
        return None
