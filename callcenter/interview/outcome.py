"""What became of one call attempt, classified from the hang-up cause and the interview."""

from __future__ import annotations

from enum import StrEnum

# Q.850 causes Asterisk reports in ChannelDestroyed.cause
CAUSE_NORMAL = 16
CAUSE_BUSY = 17
CAUSE_NO_USER_RESPONSE = 18
CAUSE_NO_ANSWER = 19
CAUSE_CALL_REJECTED = 21
CAUSE_CONGESTION = 34  # "no circuit/channel available"
CAUSE_SWITCH_CONGESTION = 42


class Outcome(StrEnum):
    COMPLETE = "answered_complete"
    PARTIAL = "answered_partial"
    REFUSED = "refused"
    # a human agent took the call over; the rest of the script was not asked
    TRANSFERRED = "transferred"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CONGESTION = "congestion"
    REJECTED = "rejected"
    FAILED = "failed"

    @property
    def answered(self) -> bool:
        return self in (Outcome.COMPLETE, Outcome.PARTIAL, Outcome.REFUSED, Outcome.TRANSFERRED)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.COMPLETE: "完成回访",
    Outcome.PARTIAL: "回访未完成",
    Outcome.REFUSED: "拒绝回访",
    Outcome.TRANSFERRED: "已转人工",
    Outcome.BUSY: "占线",
    Outcome.NO_ANSWER: "无人接听",
    Outcome.CONGESTION: "线路拥塞",
    Outcome.REJECTED: "拒接",
    Outcome.FAILED: "呼叫失败",
}


def classify_unanswered(cause: int | None) -> Outcome:
    """Outcome of a call that never reached the IVR, from its Q.850 hang-up cause."""
    if cause == CAUSE_BUSY:
        return Outcome.BUSY
    if cause in (CAUSE_NO_ANSWER, CAUSE_NO_USER_RESPONSE):
        return Outcome.NO_ANSWER
    if cause in (CAUSE_CONGESTION, CAUSE_SWITCH_CONGESTION):
        return Outcome.CONGESTION
    if cause == CAUSE_CALL_REJECTED:
        return Outcome.REJECTED
    return Outcome.FAILED
