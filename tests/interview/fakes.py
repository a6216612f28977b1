"""A scripted telephone line for testing the call flow without Asterisk."""

from __future__ import annotations

from pathlib import Path

from callcenter.interview.port import CallerHungUp, Recording
from callcenter.interview.takeover import HandoverRequest, HandoverResult


class ScriptedLine:
    """Plays nothing; answers each question with the next planned key.

    ``plan`` items: a key ("1"), None for silence (a timeout), "hangup", or
    ("rec", seconds) for a spoken answer when a recording starts.
    """

    def __init__(
        self, plan: list[object], tmp: Path, handover: HandoverResult | str | None = None
    ) -> None:
        self.plan = list(plan)
        self.tmp = tmp
        self.played: list[str] = []
        self.recorded: list[str] = []
        self.gone = False
        # what a handover comes to: a result, or "hangup" (the caller gives up waiting)
        self.handover = handover or HandoverResult(connected=False)
        self.handovers: list[HandoverRequest] = []

    def _next(self) -> object:
        if self.gone:
            raise CallerHungUp()
        item = self.plan.pop(0) if self.plan else "hangup"
        if item == "hangup":
            self.gone = True
            raise CallerHungUp()
        return item

    async def play(self, texts: list[str]) -> None:
        if self.gone:
            raise CallerHungUp()
        self.played.extend(texts)

    async def get_key(self, timeout: float) -> str | None:
        item = self._next()
        assert item is None or isinstance(item, str), f"expected a key, plan has {item!r}"
        return item

    async def record(self, step_id: str, max_seconds: int, max_silence: int) -> Recording | None:
        item = self._next()
        assert isinstance(item, tuple) and item[0] == "rec", (
            f"expected a recording, plan has {item!r}"
        )
        path = self.tmp / f"{step_id}.wav"
        path.write_bytes(b"RIFF")
        self.recorded.append(step_id)
        return Recording(path, float(item[1]))

    def clear_keys(self) -> None:
        pass

    async def hand_over(self, request: HandoverRequest) -> HandoverResult:
        if self.gone:
            raise CallerHungUp()
        self.handovers.append(request)
        if self.handover == "hangup":
            self.gone = True
            raise CallerHungUp()
        assert isinstance(self.handover, HandoverResult)
        return self.handover
