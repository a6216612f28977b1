"""What a dispatch round and a dial task report, for the logs and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from callcenter.campaign.policy import JobResult
from callcenter.interview.outcome import Outcome


@dataclass
class DispatchReport:
    recovered_calls: int = 0
    settled_orphans: int = 0
    resent: int = 0
    queued: int = 0
    capped: int = 0
    blocked: str | None = None  # why nothing was queued (outside the window…)
    next_allowed: datetime | None = None
    finished: list[int] = field(default_factory=list)
    fed: int = 0  # jobs added from elsewhere (re-visits now due)


@dataclass(frozen=True)
class DialReport:
    job_id: int
    key: str
    status: str  # dialled / not-claimed / released / skipped
    outcome: Outcome | None = None
    result: JobResult | None = None
    note: str = ""
