"""A number typed then # over AriLine (no Asterisk): the ARI DTMF events of a digits
step reach the call flow in order, typed into the question or after it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from callcenter.interview.answers import Answer
from callcenter.interview.flow import FlowOptions, Interview
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import load_script
from tests.calls.test_line import FakeAri, make_line

SCRIPT = "id: s\ntitle: t\nsteps:\n" + (
    "  - {id: days, type: digits, label: 几天办结, text: 您所办理的事项在几天办结？, "
    "max_digits: 3, timeout: 0.5, unit: 天}\n"
    "  - {id: bye, type: say, text: 再见, closing: true}\n"
)


def dtmf(digit: str) -> dict[str, Any]:
    return {"type": "ChannelDtmfReceived", "digit": digit, "channel": {"id": "ch1"}}


class RecordingAri(FakeAri):
    """Notes every playback started, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[str] = []

    async def play(self, channel_id: str, media: list[str], playback_id: str) -> dict[str, Any]:
        self.started.append(playback_id)
        return await super().play(channel_id, media, playback_id)


async def _nth_playback(ari: RecordingAri, n: int) -> str:
    while len(ari.started) < n:
        await asyncio.sleep(0.01)
    return ari.started[n - 1]


def _finished(playback: str) -> dict[str, Any]:
    return {"type": "PlaybackFinished", "playback": {"id": playback}}


async def _interview(
    tmp_path: Path, typed: list[str], *, during_prompt: bool
) -> tuple[Outcome, list[Answer], RecordingAri]:
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    ari = RecordingAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    saved: list[Answer] = []

    async def sink(a: Answer) -> None:
        saved.append(a)

    async def caller() -> None:
        question = await _nth_playback(ari, 1)
        if not during_prompt:
            q.put_nowait(_finished(question))
            await asyncio.sleep(0.1)
        for key in typed:
            q.put_nowait(dtmf(key))
            await asyncio.sleep(0.05)
        # the closing is heard to its end, then the caller hangs up
        q.put_nowait(_finished(await _nth_playback(ari, 2)))
        q.put_nowait({"type": "ChannelDestroyed", "cause": 16, "channel": {"id": "ch1"}})

    task = asyncio.create_task(caller())
    script = load_script(path)
    result = await asyncio.wait_for(
        Interview(script, {}, line, sink, FlowOptions(key_timeout=0.5)).run(), 5
    )
    await task
    pump.cancel()
    return result.outcome, saved, ari


async def test_digits_typed_after_the_question_then_hash(tmp_path: Path) -> None:
    outcome, saved, ari = await _interview(tmp_path, ["1", "2", "#"], during_prompt=False)
    assert outcome is Outcome.COMPLETE
    assert [(a.kind, a.keys, a.value) for a in saved] == [("digits", "12", "12天")]
    assert ari.stopped == []


async def test_digits_typed_into_the_question_stop_it_and_all_count(tmp_path: Path) -> None:
    outcome, saved, ari = await _interview(tmp_path, ["3", "0", "#"], during_prompt=True)
    assert outcome is Outcome.COMPLETE
    assert [(a.keys, a.value) for a in saved] == [("30", "30天")]
    assert len(ari.stopped) == 1  # the first key stopped the question


async def test_a_number_typed_just_before_hanging_up_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    ari = RecordingAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    saved: list[Answer] = []

    async def sink(a: Answer) -> None:
        saved.append(a)

    async def caller() -> None:
        q.put_nowait(_finished(await _nth_playback(ari, 1)))
        await asyncio.sleep(0.1)  # the flow waits for a key
        # the keys and the hang-up arrive together, before the flow wakes up
        for event in (dtmf("1"), dtmf("2"), dtmf("#")):
            q.put_nowait(event)
        q.put_nowait({"type": "ChannelDestroyed", "cause": 16, "channel": {"id": "ch1"}})

    task = asyncio.create_task(caller())
    script = load_script(path)
    await asyncio.wait_for(Interview(script, {}, line, sink, FlowOptions(key_timeout=0.5)).run(), 5)
    await task
    pump.cancel()
    assert [(a.keys, a.value) for a in saved] == [("12", "12天")]
