"""What happened to each takeover: who was rung, who talked, and what the agent wrote.

The controller writes a takeover as it goes (fired → ringing → connected → ended, or
no_agent / abandoned); the agent screen reads it back with the case and the answers
given so far, and stores the agent's outcome and note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from callcenter.agents.tables import (
    AGENT_OUTCOMES,
    OFFER_RESULTS,
    Takeover,
    TakeoverOffer,
)
from callcenter.calls.records import answer_view
from callcenter.calls.tables import AnswerRow, CallAttempt
from callcenter.cases.store import CaseView, case_view
from callcenter.cases.tables import Case
from callcenter.interview.answers import Answer
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import AgentError
from callcenter.kernel.transaction import transaction

LIVE_STATES = ("ringing", "connected")
END_STATES = ("ended", "no_agent", "abandoned")


@dataclass(frozen=True)
class OfferView:
    agent_login: str
    channel_id: str
    result: str
    offered_at: datetime
    ringing_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class TakeoverView:
    id: int
    attempt_id: str
    rule_id: str
    rule_label: str
    question_id: str
    key: str
    misconduct: bool
    state: str
    agent_login: str | None
    channel_id: str | None
    bridge_id: str | None
    fired_at: datetime
    ringing_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    note: str
    noted_by: str | None
    case: CaseView
    answers: tuple[Answer, ...]
    offers: tuple[OfferView, ...]

    @property
    def outcome_label(self) -> str:
        return AGENT_OUTCOMES.get(self.outcome or "", "")

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


class TakeoverLog:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    # -- written by the controller -------------------------------------------------

    def open(
        self,
        attempt_id: str,
        *,
        rule_id: str,
        rule_label: str,
        question_id: str,
        key: str,
        misconduct: bool,
        channel_id: str,
    ) -> int:
        with transaction(self._sessions, "open takeover") as s:
            row = Takeover(
                attempt_id=attempt_id,
                rule_id=rule_id,
                rule_label=rule_label,
                question_id=question_id,
                key=key,
                misconduct=misconduct,
                state="ringing",
                channel_id=channel_id,
                fired_at=self._clock.now(),
                note="",
            )
            s.add(row)
            s.flush()
            return row.id

    def offer(self, takeover_id: int, agent_login: str, channel_id: str) -> int:
        with transaction(self._sessions, "offer takeover") as s:
            row = TakeoverOffer(
                takeover_id=takeover_id,
                agent_login=agent_login,
                channel_id=channel_id,
                result="ringing",
                offered_at=self._clock.now(),
            )
            s.add(row)
            s.flush()
            return row.id

    def offer_ringing(self, offer_id: int, at: datetime) -> None:
        with transaction(self._sessions, "offer ringing") as s:
            offer = s.get(TakeoverOffer, offer_id)
            if offer is None:
                raise AgentError(f"no takeover offer {offer_id}")
            offer.ringing_at = offer.ringing_at or at
            s.execute(
                update(Takeover)
                .where(Takeover.id == offer.takeover_id, Takeover.ringing_at.is_(None))
                .values(ringing_at=at)
            )

    def offer_ended(self, offer_id: int, result: str, cause: int | None = None) -> None:
        if result not in OFFER_RESULTS:
            raise AgentError(f"offer result {result!r} is not one of {', '.join(OFFER_RESULTS)}")
        with transaction(self._sessions, "end offer") as s:
            s.execute(
                update(TakeoverOffer)
                .where(TakeoverOffer.id == offer_id)
                .values(result=result, cause=cause, ended_at=self._clock.now())
            )

    def connected(self, takeover_id: int, agent_login: str, bridge_id: str) -> None:
        with transaction(self._sessions, "takeover connected") as s:
            s.execute(
                update(Takeover)
                .where(Takeover.id == takeover_id)
                .values(
                    state="connected",
                    agent_login=agent_login,
                    bridge_id=bridge_id,
                    connected_at=self._clock.now(),
                )
            )

    def finish(self, takeover_id: int, state: str) -> None:
        """Close a takeover: ended (an agent talked), no_agent, or abandoned (the caller
        hung up first). Only the first finish counts."""
        if state not in END_STATES:
            raise AgentError(f"takeover end state {state!r} is not one of {END_STATES}")
        with transaction(self._sessions, "finish takeover") as s:
            s.execute(
                update(Takeover)
                .where(Takeover.id == takeover_id, Takeover.state.in_(LIVE_STATES))
                .values(state=state, ended_at=self._clock.now())
            )

    # -- written by the agent ------------------------------------------------------

    def record_outcome(self, takeover_id: int, by: str, outcome: str, note: str) -> TakeoverView:
        if outcome not in AGENT_OUTCOMES:
            raise AgentError(f"outcome {outcome!r} is not one of {', '.join(AGENT_OUTCOMES)}")
        note = note.strip()
        if len(note) > 2000:
            raise AgentError(
                f"note of takeover {takeover_id} is {len(note)} characters; 2000 at most"
            )
        with transaction(self._sessions, "record takeover outcome") as s:
            row = s.get(Takeover, takeover_id)
            if row is None:
                raise AgentError(f"no takeover {takeover_id}")
            if row.state in ("ringing", "no_agent", "abandoned") and row.connected_at is None:
                raise AgentError(f"takeover {takeover_id} was never answered; nothing to record")
            row.outcome, row.note, row.noted_by, row.noted_at = outcome, note, by, self._clock.now()
        return self.view(takeover_id)

    # -- read ----------------------------------------------------------------------

    def view(self, takeover_id: int) -> TakeoverView:
        with transaction(self._sessions, "view takeover") as s:
            row = s.get(Takeover, takeover_id)
            if row is None:
                raise AgentError(f"no takeover {takeover_id}")
            return _views(s, [row])[0]

    def for_attempt(self, attempt_id: str) -> list[TakeoverView]:
        """The call's takeovers, for the call's record."""
        with transaction(self._sessions, "takeovers of a call") as s:
            rows = s.execute(
                select(Takeover).where(Takeover.attempt_id == attempt_id).order_by(Takeover.id)
            ).scalars()
            return _views(s, list(rows))

    def current_for(self, agent_login: str) -> TakeoverView | None:
        """What the agent's screen shows: the takeover ringing their phone or in
        progress with them, else the last one they talked in that still awaits a note."""
        with transaction(self._sessions, "agent's current takeover") as s:
            ringing = s.execute(
                select(Takeover)
                .join(TakeoverOffer, TakeoverOffer.takeover_id == Takeover.id)
                .where(
                    TakeoverOffer.agent_login == agent_login,
                    TakeoverOffer.result.in_(("ringing", "answered")),
                    Takeover.state.in_(LIVE_STATES),
                )
                .order_by(TakeoverOffer.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if ringing is None:
                ringing = s.execute(
                    select(Takeover)
                    .where(
                        Takeover.agent_login == agent_login,
                        Takeover.outcome.is_(None),
                        Takeover.connected_at.is_not(None),
                    )
                    .order_by(Takeover.id.desc())
                    .limit(1)
                ).scalar_one_or_none()
            return _views(s, [ringing])[0] if ringing is not None else None

    def live(self) -> list[TakeoverView]:
        """Takeovers ringing or in progress, oldest first (the supervisor's list)."""
        with transaction(self._sessions, "live takeovers") as s:
            rows = s.execute(
                select(Takeover)
                .join(CallAttempt, CallAttempt.id == Takeover.attempt_id)
                .where(Takeover.state.in_(LIVE_STATES), CallAttempt.ended_at.is_(None))
                .order_by(Takeover.id)
            ).scalars()
            return _views(s, list(rows))

    def close_orphans(self) -> list[str]:
        """Close takeovers still live whose call is over: a process placing calls stopped
        in the middle of them. Returns the channels of their agents' legs, to hang up."""
        with transaction(self._sessions, "close orphaned takeovers") as s:
            ended_calls = select(CallAttempt.id).where(CallAttempt.ended_at.is_not(None))
            orphans = list(
                s.execute(
                    select(Takeover.id).where(
                        Takeover.state.in_(LIVE_STATES), Takeover.attempt_id.in_(ended_calls)
                    )
                ).scalars()
            )
            if not orphans:
                return []
            legs = list(
                s.execute(
                    select(TakeoverOffer.channel_id).where(
                        TakeoverOffer.takeover_id.in_(orphans),
                        TakeoverOffer.result.in_(("ringing", "answered")),
                    )
                ).scalars()
            )
            s.execute(
                update(TakeoverOffer)
                .where(
                    TakeoverOffer.takeover_id.in_(orphans),
                    TakeoverOffer.result == "ringing",
                )
                .values(result="cancelled", ended_at=self._clock.now())
            )
            s.execute(
                update(Takeover)
                .where(Takeover.id.in_(orphans))
                .values(state="abandoned", ended_at=self._clock.now())
            )
            return legs

    def recent(self, limit: int = 50, agent_login: str | None = None) -> list[TakeoverView]:
        with transaction(self._sessions, "recent takeovers") as s:
            stmt = select(Takeover).order_by(Takeover.id.desc()).limit(limit)
            if agent_login is not None:
                stmt = stmt.where(Takeover.agent_login == agent_login)
            return _views(s, list(s.execute(stmt).scalars()))


def _views(s: Session, rows: list[Takeover]) -> list[TakeoverView]:
    if not rows:
        return []
    attempt_ids = {r.attempt_id for r in rows}
    attempts = {
        a.id: a
        for a in s.execute(
            select(CallAttempt)
            .where(CallAttempt.id.in_(attempt_ids))
            .options(joinedload(CallAttempt.case).joinedload(Case.unit))
        ).scalars()
    }
    answers = _answers(s, attempt_ids)
    offers: dict[int, list[OfferView]] = {}
    for o in s.execute(
        select(TakeoverOffer)
        .where(TakeoverOffer.takeover_id.in_([r.id for r in rows]))
        .order_by(TakeoverOffer.id)
    ).scalars():
        offers.setdefault(o.takeover_id, []).append(
            OfferView(o.agent_login, o.channel_id, o.result, o.offered_at, o.ringing_at, o.ended_at)
        )
    return [
        TakeoverView(
            id=r.id,
            attempt_id=r.attempt_id,
            rule_id=r.rule_id,
            rule_label=r.rule_label,
            question_id=r.question_id,
            key=r.key,
            misconduct=r.misconduct,
            state=r.state,
            agent_login=r.agent_login,
            channel_id=r.channel_id,
            bridge_id=r.bridge_id,
            fired_at=r.fired_at,
            ringing_at=r.ringing_at,
            connected_at=r.connected_at,
            ended_at=r.ended_at,
            outcome=r.outcome,
            note=r.note,
            noted_by=r.noted_by,
            case=case_view(attempts[r.attempt_id].case),
            answers=tuple(answers.get(r.attempt_id, ())),
            offers=tuple(offers.get(r.id, ())),
        )
        for r in rows
    ]


def _answers(s: Session, attempt_ids: Iterable[str]) -> dict[str, list[Answer]]:
    out: dict[str, list[Answer]] = {}
    rows = s.execute(
        select(AnswerRow)
        .where(AnswerRow.attempt_id.in_(list(attempt_ids)))
        .options(joinedload(AnswerRow.recording))
        .order_by(AnswerRow.id)
    ).scalars()
    for a in rows:
        out.setdefault(a.attempt_id, []).append(answer_view(a).as_answer())
    return out
