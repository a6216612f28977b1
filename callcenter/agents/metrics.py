"""Timings of takeovers, kept by the desk for the benchmark and for health pages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TakeoverMetrics:
    """Loop-time stamps of one takeover, for the benchmark."""

    attempt_id: str
    takeover_id: int
    rule_id: str
    fired: float
    ringing: float | None = None
    answered: float | None = None
    bridged: float | None = None
    agent: str | None = None
    offers: int = 0
    # SIP Call-IDs of the agents' legs, which is how a phone names the call it got
    sip_call_ids: list[str] = field(default_factory=list)
