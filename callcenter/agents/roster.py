"""The agents: who they are, whether they are ready, and which of them is free to ring.

Availability has two halves: Asterisk knows whether an agent's phone is registered and
in a call; this table knows whether the agent said they are ready and whether a call,
in any process, is ringing them now. ``claim`` takes an agent atomically in the
database, so two takeovers never ring one agent at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from callcenter.agents.tables import AGENT_KINDS, Agent, Takeover
from callcenter.calls.tables import CallAttempt
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import AgentError
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed

# PJSIP object ids and SIP user names: keep them to what every softphone accepts.
LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


@dataclass(frozen=True)
class AgentView:
    login: str
    name: str
    kind: str
    realm: str
    enabled: bool
    ready: bool
    idle_since: datetime
    busy_with: int | None
    # MD5(login:realm:password) lets anyone register as the agent: never printed
    password_digest: str = field(repr=False)


def is_handler(agent: AgentView, handler: str) -> bool:
    """Whether ``agent`` is the case's handler (办案人), by name or login: 003 keeps the
    person who calls an applicant back apart from the one who handled the case."""
    handler = handler.strip()
    return bool(handler) and handler in (agent.name.strip(), agent.login)


def _view(a: Agent) -> AgentView:
    return AgentView(
        login=a.login,
        name=a.name,
        kind=a.kind,
        realm=a.realm,
        enabled=a.enabled,
        ready=a.ready,
        idle_since=a.idle_since,
        busy_with=a.busy_with,
        password_digest=a.password_digest,
    )


def _claim_is_free() -> ColumnElement[bool]:
    """The agent holds no live takeover: none, or one that ended or whose call is over
    (a process that died mid-takeover leaves such claims behind)."""
    live = (
        select(Takeover.id)
        .join(CallAttempt, CallAttempt.id == Takeover.attempt_id)
        .where(
            Takeover.id == Agent.busy_with,
            Takeover.state.in_(("ringing", "connected")),
            CallAttempt.ended_at.is_(None),
        )
    )
    return or_(Agent.busy_with.is_(None), ~exists(live))


class AgentRoster:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    # -- administration ------------------------------------------------------------

    def add(self, login: str, name: str, password_digest: str, realm: str, kind: str) -> AgentView:
        if not LOGIN.match(login):
            raise AgentError(
                f"agent login {login!r} must be 2-32 of a-z 0-9 _ . - starting with a letter "
                "or digit (it is the SIP user name)"
            )
        if kind not in AGENT_KINDS:
            raise AgentError(f"agent kind {kind!r} is not one of {', '.join(AGENT_KINDS)}")
        with transaction(self._sessions, "add agent") as s:
            if s.execute(select(Agent.id).where(Agent.login == login)).first() is not None:
                raise AgentError(f"agent {login!r} already exists; enable it or set its password")
            row = Agent(
                login=login,
                name=name or login,
                kind=kind,
                realm=realm,
                password_digest=password_digest,
                enabled=True,
                ready=False,
                idle_since=self._clock.now(),
                created_at=self._clock.now(),
            )
            s.add(row)
            s.flush()
            return _view(row)

    def set_password(self, login: str, password_digest: str, realm: str) -> AgentView:
        with transaction(self._sessions, "set agent password") as s:
            row = _agent(s, login)
            row.password_digest, row.realm = password_digest, realm
            return _view(row)

    def disable(self, login: str) -> AgentView:
        with transaction(self._sessions, "disable agent") as s:
            row = _agent(s, login)
            row.enabled, row.ready, row.disabled_at = False, False, self._clock.now()
            return _view(row)

    def enable(self, login: str) -> AgentView:
        with transaction(self._sessions, "enable agent") as s:
            row = _agent(s, login)
            row.enabled, row.disabled_at = True, None
            return _view(row)

    def get(self, login: str) -> AgentView:
        with transaction(self._sessions, "get agent") as s:
            return _view(_agent(s, login))

    def find(self, login: str) -> AgentView | None:
        with transaction(self._sessions, "find agent") as s:
            row = s.execute(select(Agent).where(Agent.login == login)).scalar_one_or_none()
            return _view(row) if row is not None else None

    def all(self) -> list[AgentView]:
        with transaction(self._sessions, "list agents") as s:
            return [_view(a) for a in s.execute(select(Agent).order_by(Agent.login)).scalars()]

    # -- the agent's own state -----------------------------------------------------

    def set_ready(self, login: str, ready: bool) -> AgentView:
        """Ready or not; becoming ready counts as the start of idle time."""
        with transaction(self._sessions, "set agent ready") as s:
            row = _agent(s, login)
            if ready and not row.enabled:
                raise AgentError(f"agent {login!r} is disabled and cannot take calls")
            if ready and not row.ready:
                row.idle_since = self._clock.now()
            row.ready = ready
            return _view(row)

    # -- ringing -------------------------------------------------------------------

    def staffed(self) -> bool:
        """Whether any enabled agent takes calls, ready or not."""
        with transaction(self._sessions, "agents staffed") as s:
            stmt = select(Agent.id).where(Agent.enabled, Agent.kind == "agent").limit(1)
            return s.execute(stmt).first() is not None

    def candidates(self) -> list[AgentView]:
        """Enabled, ready agents that no live takeover holds, longest idle first."""
        with transaction(self._sessions, "agent candidates") as s:
            stmt = (
                select(Agent)
                .where(Agent.enabled, Agent.ready, Agent.kind == "agent", _claim_is_free())
                .order_by(Agent.idle_since, Agent.id)
            )
            return [_view(a) for a in s.execute(stmt).scalars()]

    def claim(self, login: str, takeover_id: int) -> bool:
        """Take the agent for ``takeover_id`` if still ready and free; False if not."""
        with transaction(self._sessions, "claim agent") as s:
            stmt = (
                update(Agent)
                .where(
                    Agent.login == login,
                    and_(Agent.enabled, Agent.ready),
                    _claim_is_free(),
                )
                .values(busy_with=takeover_id, busy_since=self._clock.now())
                .execution_options(synchronize_session=False)
            )
            return changed(s, stmt)

    def release(self, login: str, takeover_id: int, *, talked: bool, pause: bool = False) -> None:
        """Free the agent after ``takeover_id``. Having talked restarts their idle time;
        ``pause`` (they let it ring out) makes them not ready until they say otherwise."""
        values: dict[str, object] = {"busy_with": None, "busy_since": None}
        if talked:
            values["idle_since"] = self._clock.now()
        if pause:
            values["ready"] = False
        with transaction(self._sessions, "release agent") as s:
            s.execute(
                update(Agent)
                .where(Agent.login == login, Agent.busy_with == takeover_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def _agent(s: Session, login: str) -> Agent:
    row = s.execute(select(Agent).where(Agent.login == login)).scalar_one_or_none()
    if row is None:
        raise AgentError(f"no agent {login!r}; add it with `callcenter agent add {login}`")
    return row
