"""Retry rules by outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.campaign.policy import JobResult, RetryPolicy, decide
from callcenter.interview.outcome import Outcome

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
P = RetryPolicy(max_attempts=3, retry_gap=timedelta(hours=2), partial_redials=1)


def test_complete_and_refused_end_the_job() -> None:
    assert decide(P, Outcome.COMPLETE, 1, 0, T).result is JobResult.COMPLETED
    refused = decide(P, Outcome.REFUSED, 1, 0, T)
    assert refused.result is JobResult.REFUSED and refused.retry_at is None


@pytest.mark.parametrize(
    "outcome",
    [Outcome.BUSY, Outcome.NO_ANSWER, Outcome.CONGESTION, Outcome.REJECTED, Outcome.FAILED],
)
def test_unreached_is_tried_three_times_hours_apart(outcome: Outcome) -> None:
    first = decide(P, outcome, 1, 0, T)
    assert first.result is None and first.retry_at == T + timedelta(hours=2)
    assert decide(P, outcome, 2, 0, T).result is None
    last = decide(P, outcome, 3, 0, T)
    assert last.result is JobResult.UNREACHED and last.retry_at is None


def test_partial_is_redialled_once() -> None:
    again = decide(P, Outcome.PARTIAL, 1, 1, T)
    assert again.result is None and again.retry_at == T + timedelta(hours=2)
    assert decide(P, Outcome.PARTIAL, 2, 2, T).result is JobResult.PARTIAL


def test_a_partial_before_unreached_attempts_is_kept_as_the_result() -> None:
    # partial, then busy twice: three attempts, and what was said is the better record
    assert decide(P, Outcome.BUSY, 3, 1, T).result is JobResult.PARTIAL


def test_settings_map_to_the_policy() -> None:
    from callcenter.campaign.config import CampaignSettings

    p = RetryPolicy.from_settings(CampaignSettings(max_attempts=5, retry_gap_seconds=60))
    assert p == RetryPolicy(5, timedelta(seconds=60), 1)
