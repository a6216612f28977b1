"""A scripted telephone line for testing the call flow without Asterisk."""

from __future__ import annotations

from pathlib import Path

from callcenter.interview.port import CallerHungUp, Recording
from callcenter.interview.takeover import HandoverRequest, HandoverResult


class ScriptedLine:
    """Plays nothing; answers each question with the next planned key.

    ``plan`` items: a key ("1"), None for silence (a timeout), "hangup",
    ("rec", seconds) for a spoken answer when a recording starts, or ("during", key)
    for a key pressed while the next prompt plays: it stops a prompt that allows
    barge-in and waits in the key buffer either way, like a real line's.
    """

    def __init__(
        self, plan: list[object], tmp: Path, handover: HandoverResult | str | None = None
    ) -> None:
        self.plan = list(plan)
        self.tmp = tmp
        self.played: list[str] = []
        self.recorded: list[str] = []
        # what happened on the line in order: ("heard", texts), ("cut", texts) for a
        # prompt a key stopped, ("record", step id)
        self.events: list[tuple[str, object]] = []
        self.buffered: list[str] = []
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

    async def play(self, texts: list[str], barge_in: bool = True) -> None:
        if self.gone:
            raise CallerHungUp()
        self.played.extend(texts)
        pressed = self.plan and isinstance(self.plan[0], tuple) and self.plan[0][0] == "during"
        if pressed:
            self.buffered.append(str(self.plan.pop(0)[1]))  # type: ignore[index]
        self.events.append(("cut" if pressed and barge_in else "heard", list(texts)))

    async def get_key(self, timeout: float) -> str | None:
        if self.buffered:
            return self.buffered.pop(0)
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
        self.events.append(("record", step_id))
        return Recording(path, float(item[1]))

    def clear_keys(self) -> None:
        self.buffered.clear()

    async def hand_over(self, request: HandoverRequest) -> HandoverResult:
        if self.gone:
            raise CallerHungUp()
        self.handovers.append(request)
        if self.handover == "hangup":
            self.gone = True
            raise CallerHungUp()
        assert isinstance(self.handover, HandoverResult)
        return self.handover
