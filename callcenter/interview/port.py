"""What the call flow needs from a telephone line, and nothing more.

The ARI adapter implements it for real calls, ``simulate`` for a terminal, and the
tests with a scripted fake. Every method raises ``CallerHungUp`` once the line is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from callcenter.interview.takeover import HandoverRequest, HandoverResult


class CallerHungUp(Exception):
    """The called person (or the network) ended the call."""


@dataclass(frozen=True)
class Recording:
    path: Path
    duration: float | None = None


class CallPort(Protocol):
    async def play(self, texts: list[str], barge_in: bool = True) -> None:
        """Speak the texts in order; stop early as soon as a key is pressed (barge-in).

        Without ``barge_in`` the texts are spoken to the end whatever is pressed (the
        keys stay buffered): for what the caller must hear, such as a recorded question.
        """

    async def get_key(self, timeout: float) -> str | None:
        """Next key pressed (also one pressed during the last prompt), or None on timeout."""

    async def record(self, step_id: str, max_seconds: int, max_silence: int) -> Recording | None:
        """Record the caller after a beep until # or silence; None if nothing was recorded."""

    def clear_keys(self) -> None:
        """Forget keys pressed so far (e.g. the # that ended a recording)."""

    async def hand_over(self, request: HandoverRequest) -> HandoverResult:
        """Put the caller through to a human agent and return when that is over.

        Connected: an agent talked to the caller and the call is theirs; not connected:
        no agent took it (a call-back task is recorded) and the caller is still here.
        """
