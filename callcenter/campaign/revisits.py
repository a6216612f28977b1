"""Re-visit calls (再回访) of 整改 tickets, placed by the campaign's dialler.

Each month has one re-visit campaign, running from its first re-visit on; a ticket's
round is one dial job in it, so the calling windows, the retry policy, the pacing and
the idempotent attempts are those of every other call. A round is enqueued at most once
(a unique key on the ticket and round), whichever month it is asked for in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.campaign.jobs import attempt_key
from callcenter.campaign.tables import Campaign, DialJob
from callcenter.cases.tables import Case
from callcenter.kernel.clock import BEIJING, Clock, SystemClock
from callcenter.kernel.errors import CampaignError
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed, insert


@dataclass(frozen=True)
class Revisit:
    """One round of a ticket to call back about, with the script of the re-visit."""

    ticket_id: int
    round: int
    case_id: int
    script: str


class RevisitJobs:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    def enqueue(self, revisit: Revisit) -> bool:
        """Add the round's dial job, due now, to this month's re-visit campaign; False if
        the round already has one."""
        now = self._clock.now()
        month = now.astimezone(BEIJING).strftime("%Y-%m")
        with transaction(self._sessions, "revisits.enqueue") as s:
            case = s.get(Case, revisit.case_id)
            if case is None:
                raise CampaignError(
                    f"ticket {revisit.ticket_id}: case {revisit.case_id} is unknown"
                )
            campaign = _campaign_of(s, month, now)
            key = attempt_key(campaign.key, case.id, 1, revisit.round)
            stmt = insert(s, DialJob).values(
                campaign_id=campaign.id,
                case_id=case.id,
                unit_id=case.unit_id,
                phone=case.phone,
                priority=0,
                state="pending",
                due_at=now,
                attempt_key=key,
                attempts=0,
                partials=0,
                updated_at=now,
                round=revisit.round,
                ticket_id=revisit.ticket_id,
                script=revisit.script,
            )
            return changed(s, stmt.on_conflict_do_nothing())


def _campaign_of(s: Session, month: str, now: datetime) -> Campaign:
    """The month's re-visit campaign, made if need be, running (again) to take a job."""
    insert_stmt = insert(s, Campaign).values(
        kind="revisit",
        month=month,
        key=f"rv{secrets.token_hex(4)}",
        period_start=date.fromisoformat(f"{month}-01"),
        period_end=date.fromisoformat(f"{month}-01"),
        seed=0,
        state="running",
        summary="{}",
        created_at=now,
        started_at=now,
    )
    s.execute(insert_stmt.on_conflict_do_nothing(index_elements=[Campaign.kind, Campaign.month]))
    s.execute(
        update(Campaign)
        .where(Campaign.kind == "revisit", Campaign.month == month, Campaign.state == "finished")
        .values(state="running", finished_at=None)
    )
    return s.execute(
        select(Campaign).where(Campaign.kind == "revisit", Campaign.month == month)
    ).scalar_one()
