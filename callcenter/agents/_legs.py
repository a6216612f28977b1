"""An agent's leg of a takeover: the ringing or answered channel to one agent's phone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from callcenter.interview.outcome import (
    CAUSE_BUSY,
    CAUSE_CALL_REJECTED,
    CAUSE_NO_ANSWER,
    CAUSE_NO_USER_RESPONSE,
)

Event = dict[str, Any]


@dataclass
class Leg:
    login: str
    channel_id: str
    offer_id: int
    queue: asyncio.Queue[Event]


def offer_result(cause: int | None) -> str:
    """How an offer to an agent ended, from the Q.850 cause of the agent's leg."""
    if cause in (CAUSE_NO_ANSWER, CAUSE_NO_USER_RESPONSE):
        return "no_answer"
    if cause == CAUSE_CALL_REJECTED:
        return "rejected"
    if cause == CAUSE_BUSY:
        return "busy"
    return "failed"
