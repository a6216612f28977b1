"""An agent's leg of a takeover: the ringing or answered channel to one agent's phone,
and what the phone is shown and sends back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from callcenter.interview.case import CaseInfo
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


def caller_id(case: CaseInfo) -> str:
    """What the agent's phone shows: the applicant's name and the 办件编号."""
    name = case.applicant_name.replace('"', "")
    return f'"{name}" <{case.case_no}>' if case.case_no else f'"{name}"'


def is_ringing(event: Event) -> bool:
    if event.get("type") == "ChannelStateChange":
        return event.get("channel", {}).get("state") == "Ringing"
    return event.get("type") == "Dial" and event.get("dialstatus") == "RINGING"


async def next_event(leg: Leg, gone: asyncio.Event, timeout: float) -> Event | None:
    """The leg's next event; None on timeout; at once if ``gone`` (the applicant left)."""
    if gone.is_set():
        return None
    getter = asyncio.ensure_future(leg.queue.get())
    left = asyncio.ensure_future(gone.wait())
    try:
        done, _ = await asyncio.wait(
            {getter, left}, timeout=max(0.0, timeout), return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        left.cancel()
        if not getter.done():
            getter.cancel()
    if getter in done:
        return getter.result()
    if getter.done() and not getter.cancelled():
        leg.queue.put_nowait(getter.result())  # not lost: read again next time
    return None
