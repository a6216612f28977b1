"""The recording call's flow, over a scripted line: read, #, hear it back, 1 keeps, 2 retries."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from callcenter.interview.port import CallerHungUp, Recording
from callcenter.kernel.errors import PromptError
from callcenter.prompts import phone
from callcenter.prompts.phone import Outcome, TakeOptions, record_by_phone

HANG_UP = "hang up"


class ScriptedLine:
    """A supervisor who, at each record and key prompt, does the next thing scripted:
    a take (its name), None (silence), a key, None (no key) or HANG_UP."""

    def __init__(self, takes: list[str | None], keys: list[str | None]) -> None:
        self.takes = deque(takes)
        self.keys = deque(keys)
        self.heard: list[str] = []  # what the line played, the takes as "take:<name>"
        self.recorded: list[str] = []
        self.cleared = 0

    async def play(self, texts: list[str], barge_in: bool = True) -> None:
        self.heard.extend(texts)

    async def play_take(self, take: Recording, then: list[str]) -> None:
        self.heard.append(f"take:{take.path.name}")
        self.heard.extend(then)

    async def get_key(self, timeout: float) -> str | None:
        key = self.keys.popleft()
        if key == HANG_UP:
            raise CallerHungUp()
        return key

    async def record(self, step_id: str, max_seconds: int, max_silence: int) -> Recording | None:
        self.recorded.append(step_id)
        take = self.takes.popleft()
        if take == HANG_UP:
            raise CallerHungUp()
        return None if take is None else Recording(Path(f"/takes/{take}.wav"), 2.0)

    def clear_keys(self) -> None:
        self.cleared += 1


class Keeper:
    def __init__(self, refuse: int = 0) -> None:
        self.kept: list[str] = []
        self.refuse = refuse

    async def __call__(self, take: Recording) -> int:
        if self.refuse:
            self.refuse -= 1
            raise PromptError("silent")
        self.kept.append(take.path.stem)
        return len(self.kept) + 6  # the version the take became


async def run(line: ScriptedLine, keep: Keeper, **options: int) -> tuple[Outcome, list[str]]:
    states: list[str] = []
    outcome = await record_by_phone(
        line, keep, TakeOptions(**options), lambda s, n: states.append(f"{s}:{n}")
    )
    return outcome, states


async def test_one_keeps_the_take_after_hearing_it() -> None:
    line, keep = ScriptedLine(["a"], ["1"]), Keeper()
    outcome, states = await run(line, keep)
    assert outcome == Outcome(takes=1, kept=7)
    assert keep.kept == ["a"]
    assert line.heard == [phone.INTRO, "take:a.wav", phone.MENU, phone.SAVED]
    assert states == ["listening:0", "recording:1", "reviewing:1", "saving:1", "saved:1"]


async def test_two_records_again_and_only_the_kept_take_becomes_a_version() -> None:
    line, keep = ScriptedLine(["a", "b"], ["2", "1"]), Keeper()
    outcome, _ = await run(line, keep)
    assert outcome == Outcome(takes=2, kept=7)
    assert keep.kept == ["b"]
    assert line.recorded == ["take1", "take2"]
    assert line.heard == [
        phone.INTRO,
        "take:a.wav",
        phone.MENU,
        phone.AGAIN,
        "take:b.wav",
        phone.MENU,
        phone.SAVED,
    ]


async def test_nothing_recorded_asks_again() -> None:
    line, keep = ScriptedLine([None, "b"], ["1"]), Keeper()
    outcome, _ = await run(line, keep)
    assert outcome == Outcome(takes=2, kept=7)
    assert line.heard[:3] == [phone.INTRO, phone.NOTHING, phone.AGAIN]


async def test_a_take_that_cannot_be_kept_is_recorded_again() -> None:
    line, keep = ScriptedLine(["a", "b"], ["1", "1"]), Keeper(refuse=1)
    outcome, _ = await run(line, keep)
    assert outcome == Outcome(takes=2, kept=7)
    assert keep.kept == ["b"]
    assert phone.NOT_KEPT in line.heard


async def test_a_wrong_key_is_said_and_the_menu_repeated() -> None:
    line, keep = ScriptedLine(["a"], ["7", "1"]), Keeper()
    outcome, _ = await run(line, keep)
    assert outcome.kept == 7
    assert line.heard == [
        phone.INTRO,
        "take:a.wav",
        phone.MENU,
        phone.INVALID,
        phone.MENU,
        phone.SAVED,
    ]


async def test_no_key_plays_the_take_again_then_ends_without_keeping() -> None:
    line, keep = ScriptedLine(["a"], [None, None]), Keeper()
    outcome, states = await run(line, keep)
    assert outcome == Outcome(takes=1, kept=None)
    assert keep.kept == []
    assert line.heard.count("take:a.wav") == 2
    assert line.heard[-1] == phone.GOODBYE
    assert states[-1] == "ended:1"


async def test_too_many_wrong_keys_end_the_call() -> None:
    line, keep = ScriptedLine(["a"], ["9", "9", "9"]), Keeper()
    outcome, _ = await run(line, keep, max_invalid=3)
    assert outcome == Outcome(takes=1, kept=None)
    assert line.heard[-1] == phone.GOODBYE


async def test_takes_are_limited() -> None:
    line, keep = ScriptedLine(["a", "b"], ["2", "2"]), Keeper()
    outcome, _ = await run(line, keep, max_takes=2)
    assert outcome == Outcome(takes=2, kept=None)
    assert line.heard[-1] == phone.GOODBYE


@pytest.mark.parametrize(
    ("takes", "keys"), [([HANG_UP], []), (["a"], [HANG_UP]), (["a", HANG_UP], ["2"])]
)
async def test_hanging_up_keeps_nothing(takes: list[str | None], keys: list[str | None]) -> None:
    line, keep = ScriptedLine(takes, keys), Keeper()
    outcome, states = await run(line, keep)
    assert outcome.kept is None
    assert keep.kept == []
    assert states[-1].startswith("ended:")
