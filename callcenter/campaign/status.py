"""Where a campaign stands, as plain data: for ``campaign status``, the live view of
``campaign run``, and the web pages (``campaign_status(store, month)``).

Every sampled case is counted once in exactly one of: done (completed, refused,
partial, unreached, skipped), retrying, in_progress, remaining.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from callcenter.campaign.store import CampaignStore


@dataclass(frozen=True)
class CampaignStatus:
    month: str
    state: str  # planned / running / paused / finished
    period_start: date
    period_end: date  # exclusive
    seed: int
    total: int  # cases sampled
    dialled: int  # cases dialled at least once
    answered: int  # cases that picked up at least once
    completed: int  # complete interviews (完成回访)
    refused: int
    partial: int  # ended cut short after the re-dial
    unreached: int  # busy / no answer after every attempt
    skipped: int
    retrying: int  # dialled, waiting for the next attempt
    in_progress: int  # queued for a worker or on the line
    remaining: int  # not dialled yet
    attempts: int  # calls placed
    started_at: datetime | None
    finished_at: datetime | None
    # why the dialler paused it (e.g. a day the calendar does not know); None otherwise
    pause_reason: str | None = None

    @property
    def done(self) -> int:
        return self.completed + self.refused + self.partial + self.unreached + self.skipped

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, date):  # datetime is a date too
                out[k] = v.isoformat()
        out["done"] = self.done
        return out


def campaign_status(store: CampaignStore, month: str | None = None) -> CampaignStatus:
    """Status of the campaign of ``month`` (YYYY-MM calling month), or of the latest."""
    c = store.campaign(month)
    n = store.job_counts(c.id)
    states = {s: n.get(f"state:{s}", 0) for s in ("pending", "queued", "dialling", "done")}
    return CampaignStatus(
        month=c.month,
        state=c.state,
        period_start=c.period_start,
        period_end=c.period_end,
        seed=c.seed,
        total=sum(states.values()),
        dialled=n.get("dialled", 0),
        answered=n.get("answered", 0),
        completed=n.get("result:completed", 0),
        refused=n.get("result:refused", 0),
        partial=n.get("result:partial", 0),
        unreached=n.get("result:unreached", 0),
        skipped=n.get("result:skipped", 0),
        retrying=n.get("retrying", 0),
        in_progress=states["queued"] + states["dialling"],
        remaining=n.get("untouched", 0),
        attempts=n.get("attempts", 0),
        started_at=c.started_at,
        finished_at=c.finished_at,
        pause_reason=c.pause_reason,
    )
