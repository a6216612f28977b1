"""What to do after each attempt of a dial job: stop with a result, or dial again later.

Pure rules, no clock and no database: the caller passes the attempt's outcome, the
job's counts including this attempt, and when it ended.

- 完成回访 (complete) and 拒绝回访 (refused at the consent question) end the job: a
  refusal is never re-dialled.
- An interview cut short (hang-up, silence, or our own process stopping mid-call) is
  re-dialled ``partial_redials`` times.
- Busy, no answer, congestion, a rejected ring and a failed dial are tried up to
  ``max_attempts`` times in all, ``retry_gap`` apart (the caller moves the time into a
  calling window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.campaign.config import CampaignSettings
from callcenter.interview.outcome import Outcome


class JobResult(StrEnum):
    COMPLETED = "completed"
    REFUSED = "refused"
    PARTIAL = "partial"
    UNREACHED = "unreached"
    SKIPPED = "skipped"  # taken out without a call, e.g. put on the do-not-call list

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    JobResult.COMPLETED: "完成回访",
    JobResult.REFUSED: "拒绝回访",
    JobResult.PARTIAL: "回访未完成",
    JobResult.UNREACHED: "未能接通",
    JobResult.SKIPPED: "未拨打",
}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    retry_gap: timedelta = timedelta(hours=2)
    partial_redials: int = 1

    @classmethod
    def from_settings(cls, settings: CampaignSettings) -> RetryPolicy:
        return cls(
            max_attempts=settings.max_attempts,
            retry_gap=timedelta(seconds=settings.retry_gap_seconds),
            partial_redials=settings.partial_redials,
        )


@dataclass(frozen=True)
class Decision:
    result: JobResult | None  # None: dial again, not before ``retry_at``
    retry_at: datetime | None
    reason: str

    @property
    def final(self) -> bool:
        return self.result is not None


def decide(
    policy: RetryPolicy, outcome: Outcome, attempts: int, partials: int, ended_at: datetime
) -> Decision:
    """``attempts`` and ``partials`` count this attempt too."""
    outcome = Outcome(outcome)
    if outcome is Outcome.COMPLETE:
        return Decision(JobResult.COMPLETED, None, "完成回访")
    if outcome is Outcome.REFUSED:
        return Decision(JobResult.REFUSED, None, "拒绝回访，不再拨打")
    if outcome is Outcome.PARTIAL:
        if partials <= policy.partial_redials:
            return Decision(None, ended_at + policy.retry_gap, f"回访未完成，第{partials}次重拨")
        return Decision(JobResult.PARTIAL, None, f"回访未完成，已重拨{policy.partial_redials}次")
    # unreached: busy, no answer, congestion, rejected, failed
    if attempts < policy.max_attempts:
        return Decision(
            None, ended_at + policy.retry_gap, f"{outcome.label}，第{attempts}次，稍后重拨"
        )
    final = JobResult.PARTIAL if partials else JobResult.UNREACHED
    return Decision(final, None, f"{outcome.label}，已拨{attempts}次")
