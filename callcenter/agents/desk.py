"""The takeover desk: the controller's side of handing calls to human agents.

One desk per controller process. It picks the agent to ring (ready in the ledger,
registered and not on the phone in Asterisk, longest idle first, claimed atomically so
no other process rings them too), runs each takeover (``handover.Handover``), and tells
the screens what changed. When nobody could take the call, the applicant is not told
they are being put through: the call-back is queued at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.config import AgentSettings
from callcenter.agents.handover import Handover
from callcenter.agents.metrics import TakeoverMetrics
from callcenter.agents.notifier import Change, Notifier
from callcenter.agents.pjsip import PjsipPush
from callcenter.agents.presence import PhoneState, Presence
from callcenter.agents.roster import AgentRoster, AgentView, is_handler
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.line import AriLine
from callcenter.interview.case import CaseInfo
from callcenter.interview.takeover import HandoverRequest, HandoverResult
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import AgentError, AriError, CallcenterError
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter

log = logging.getLogger(__name__)


class TakeoverDesk:
    def __init__(
        self,
        ari: AriClient,
        router: EventRouter,
        roster: AgentRoster,
        takeovers: TakeoverLog,
        callbacks: CallbackTasks,
        notifier: Notifier,
        settings: AgentSettings,
        clock: Clock | None = None,
    ) -> None:
        self.ari = ari
        self.router = router
        self.roster = roster
        self.log = takeovers
        self.callbacks = callbacks
        self.notifier = notifier
        self.settings = settings
        self.clock = clock or SystemClock()
        self.presence = Presence(ari)
        self.pjsip = PjsipPush(ari, settings)
        # the latest takeovers' timings, for the benchmark and for health pages
        self.metrics: deque[TakeoverMetrics] = deque(maxlen=1000)

    async def start(self) -> None:
        """Push the ledger's agents to Asterisk, which may have lost them (a new AstDB).

        A failure is logged, not raised: calls go on, takeovers find no agent."""
        try:
            agents = await asyncio.to_thread(self.roster.all)
            enabled = await self.pjsip.sync(agents)
            log.info("takeover desk ready: %d agents pushed to Asterisk", enabled)
        except (CallcenterError, AriError) as exc:
            log.error("agents could not be pushed to Asterisk: %s", exc)
        await self.close_orphans()

    async def close_orphans(self) -> int:
        """Close takeovers a stopped process left open (their calls were closed by
        ``Controller.recover``) and hang up their agents' legs; return how many legs."""
        try:
            legs = await asyncio.to_thread(self.log.close_orphans)
        except CallcenterError as exc:
            log.error("orphaned takeovers not closed: %s", exc)
            return 0
        for channel_id in legs:
            with contextlib.suppress(AriError):
                await self.ari.hangup(channel_id)
        if legs:
            log.warning(
                "hung up %d agent legs of takeovers left open by a stopped process", len(legs)
            )
            await self.changed(None)
        return len(legs)

    async def hand_over(
        self,
        attempt_id: str,
        case: CaseInfo,
        line: AriLine,
        request: HandoverRequest,
        fired: float | None = None,
    ) -> HandoverResult:
        """Put the applicant on ``line`` through to an agent (see ``CallPort.hand_over``);
        ``fired`` is when the rule fired (loop time), for the takeover's timings."""
        fired = fired if fired is not None else asyncio.get_running_loop().time()
        if not await asyncio.to_thread(self.roster.staffed):
            # without agents there is nobody to ring and nobody to call back
            return HandoverResult(connected=False, offered=False)
        takeover_id = await asyncio.to_thread(
            self.log.open,
            attempt_id,
            rule_id=request.rule_id,
            rule_label=request.rule_label,
            question_id=request.question_id,
            key=request.key,
            misconduct=request.misconduct,
            channel_id=attempt_id,
        )
        metrics = TakeoverMetrics(attempt_id, takeover_id, request.rule_id, fired)
        log.info("takeover %s of %s: %s", takeover_id, attempt_id, request.rule_label)
        await self.changed(takeover_id)
        handover = Handover(self, takeover_id, attempt_id, case, line, request, metrics)
        try:
            available = await self.available(takeover_id, case.handler)
            if not available:
                # no phone could ring: announcing a transfer would only make them wait
                return await handover.nobody_available()
            log.info("takeover %s: %d agents can take it", takeover_id, len(available))
            return await handover.run()
        finally:
            self.metrics.append(metrics)

    async def available(self, takeover_id: int | None = None, handler: str = "") -> list[str]:
        """The agents who could take a call now, longest idle first: ready and not held
        by another takeover in the ledger, their phone registered and on no call; never
        the case's ``handler``."""
        candidates = await asyncio.to_thread(self.roster.candidates)
        candidates = [a for a in candidates if not is_handler(a, handler)]
        if not candidates:
            return []
        phones = await self._phones(takeover_id)
        return [a.login for a in candidates if _free(phones.get(a.login))]

    async def next_agent(self, takeover_id: int, tried: set[str], handler: str = "") -> str | None:
        """Claim the longest-idle agent who is ready, registered and not on the phone,
        and is not the case's ``handler`` (办案人)."""
        candidates = await asyncio.to_thread(self.roster.candidates)
        candidates = [a for a in candidates if a.login not in tried and not is_handler(a, handler)]
        if not candidates:
            return None
        phones = await self._phones(takeover_id)
        for agent in candidates:
            if not _free(phones.get(agent.login)):
                continue
            if await asyncio.to_thread(self.roster.claim, agent.login, takeover_id):
                return agent.login
        return None

    async def _phones(self, takeover_id: int | None) -> dict[str, PhoneState]:
        """Every agent's phone as Asterisk sees it now. Agents it does not know at all
        (it restarted: their endpoints live in its memory) are pushed to it again; their
        phones can be rung once Asterisk has them back."""
        try:
            phones = await self.presence.phones()
        except AriError as exc:
            raise AgentError(
                f"takeover {takeover_id}: agents' phone states unknown: {exc}"
            ) from exc
        agents: list[AgentView] = await asyncio.to_thread(self.roster.all)
        missing = [a for a in agents if a.enabled and a.login not in phones]
        if missing:
            log.warning(
                "Asterisk does not know agents %s (restarted?): pushing them again",
                ", ".join(a.login for a in missing),
            )
            for agent in missing:
                try:
                    await self.pjsip.push(agent)
                except (AgentError, AriError) as exc:
                    log.error("agent %s could not be pushed again: %s", agent.login, exc)
        return phones

    async def changed(self, takeover_id: int | None, *agents: str, kind: str = "takeover") -> None:
        await self.notifier.publish(Change(kind, takeover_id, tuple(agents)))


def _free(phone: PhoneState | None) -> bool:
    return phone is not None and phone.free
