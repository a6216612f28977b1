"""AriLine without Asterisk: lost events, hang-ups while a prompt plays, barge-in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from callcenter.calls import line as line_module
from callcenter.calls.line import AriLine
from callcenter.interview.port import CallerHungUp
from callcenter.kernel.errors import AriError, AriNotFound


class FakeAri:
    def __init__(self) -> None:
        self.playbacks: set[str] = set()
        self.stopped: list[str] = []
        self.play_error: AriError | None = None

    async def play(self, channel_id: str, media: list[str], playback_id: str) -> dict[str, Any]:
        if self.play_error:
            raise self.play_error
        self.playbacks.add(playback_id)
        return {}

    async def stop_playback(self, playback_id: str) -> None:
        self.stopped.append(playback_id)
        self.playbacks.discard(playback_id)

    async def request(self, method: str, path: str, *a: Any, **k: Any) -> Any:
        playback = path.rsplit("/", 1)[-1]
        if path.startswith("/playbacks/") and playback in self.playbacks:
            return {"id": playback}
        raise AriNotFound(f"{path} not found", 404)


def make_line(ari: FakeAri, tmp_path: Path) -> tuple[AriLine, asyncio.Queue[dict[str, Any]]]:
    q: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    line = AriLine(ari, "ch1", q, lambda t: f"sound:/p/{t}", tmp_path, tmp_path)  # type: ignore[arg-type]
    return line, q


async def test_a_lost_playback_event_does_not_hang_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(line_module, "POLL_SECONDS", 0.05)
    ari = FakeAri()
    line, _ = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    play = asyncio.create_task(line.play(["您好"]))
    await asyncio.sleep(0.2)
    assert not play.done()  # Asterisk still has the playback: keep waiting
    ari.playbacks.clear()  # it ended, but PlaybackFinished never arrived
    await asyncio.wait_for(play, 1)
    pump.cancel()


async def test_key_during_prompt_stops_it_and_is_kept(tmp_path: Path) -> None:
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    play = asyncio.create_task(line.play(["请按键"]))
    await asyncio.sleep(0.05)
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "3", "channel": {"id": "ch1"}})
    await asyncio.wait_for(play, 1)
    assert len(ari.stopped) == 1
    assert await line.get_key(0.1) == "3"
    pump.cancel()


async def test_a_key_then_a_hang_up_together_still_answer_the_question(tmp_path: Path) -> None:
    # the caller presses 2 and hangs up at once; on a busy line both events arrive
    # before the interview has asked the question the key answers
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "2", "channel": {"id": "ch1"}})
    q.put_nowait({"type": "ChannelHangupRequest", "channel": {"id": "ch1"}})
    await asyncio.sleep(0.05)
    assert line.hung_up.is_set()
    await line.play(["您对服务工作有什么意见或者建议？"])  # not played: answered already
    assert ari.playbacks == set()
    assert await line.get_key(0.1) == "2"
    with pytest.raises(CallerHungUp):  # nothing more to read: now the hang-up counts
        await line.play(["感谢您的支持和配合！"])
    pump.cancel()


async def test_a_key_arriving_after_the_hang_up_request_still_answers(tmp_path: Path) -> None:
    # Asterisk sends a channel's events until it leaves the app: a key pressed just
    # before hanging up can come after the hang-up request
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    q.put_nowait({"type": "ChannelHangupRequest", "channel": {"id": "ch1"}})
    await asyncio.sleep(0.05)
    key = asyncio.create_task(line.get_key(5))
    await asyncio.sleep(0.1)
    assert not key.done()  # the channel is still in the app: a key may yet come
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "2", "channel": {"id": "ch1"}})
    q.put_nowait({"type": "StasisEnd", "channel": {"id": "ch1"}})
    assert await asyncio.wait_for(key, 1) == "2"
    with pytest.raises(CallerHungUp):  # gone, and nothing more to read
        await asyncio.wait_for(line.get_key(5), 1)
    pump.cancel()


async def test_a_key_during_a_prompt_and_the_hang_up_after_it_answer_it(tmp_path: Path) -> None:
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    play = asyncio.create_task(line.play(["请按键"]))
    await asyncio.sleep(0.05)
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "1", "channel": {"id": "ch1"}})
    q.put_nowait({"type": "ChannelHangupRequest", "channel": {"id": "ch1"}})
    await asyncio.wait_for(play, 1)  # returns, does not raise
    assert await line.get_key(0.1) == "1"
    pump.cancel()


async def test_a_prompt_without_barge_in_is_played_to_the_end(tmp_path: Path) -> None:
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "3", "channel": {"id": "ch1"}})
    await asyncio.sleep(0.05)
    # a key already typed does not skip it, a key during it does not stop it
    play = asyncio.create_task(line.play(["请在提示音后说出"], barge_in=False))
    await asyncio.sleep(0.05)
    [playback] = ari.playbacks
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "4", "channel": {"id": "ch1"}})
    await asyncio.sleep(0.1)
    assert not play.done() and ari.stopped == []
    q.put_nowait({"type": "PlaybackFinished", "playback": {"id": playback}})
    await asyncio.wait_for(play, 1)
    assert [await line.get_key(0.1), await line.get_key(0.1)] == ["3", "4"]
    pump.cancel()


async def test_hangup_of_another_channel_is_not_the_callers(tmp_path: Path) -> None:
    ari = FakeAri()
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    q.put_nowait({"type": "StasisEnd", "channel": {"id": "ch1-snoop"}})
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "1", "channel": {"id": "ch1"}})
    assert await line.get_key(1) == "1"
    q.put_nowait({"type": "ChannelDestroyed", "cause": 16, "channel": {"id": "ch1"}})
    await asyncio.wait_for(pump, 1)
    assert line.hangup_cause == 16
    with pytest.raises(CallerHungUp):
        await line.get_key(0.1)


@pytest.mark.parametrize("status", [404, 409])
async def test_play_on_a_channel_that_left_is_a_hangup(tmp_path: Path, status: int) -> None:
    ari = FakeAri()
    ari.play_error = AriError("Channel not in Stasis application", status)
    line, _ = make_line(ari, tmp_path)
    with pytest.raises(CallerHungUp):
        await line.play(["您好"])


async def test_other_ari_errors_are_not_hidden(tmp_path: Path) -> None:
    ari = FakeAri()
    ari.play_error = AriError("internal error", 500)
    line, _ = make_line(ari, tmp_path)
    with pytest.raises(AriError, match="internal error"):
        await line.play(["您好"])


async def test_a_key_typed_ahead_answers_when_the_next_prompt_finds_the_caller_gone(
    tmp_path: Path,
) -> None:
    # the caller pressed the next answer while the last prompt was still being stopped
    # and hung up; the request for the next prompt is refused before their events arrive
    ari = FakeAri()
    ari.play_error = AriError("Channel not in Stasis application", 409)
    line, q = make_line(ari, tmp_path)
    pump = asyncio.create_task(line.pump())
    play = asyncio.create_task(line.play(["您对工作人员的廉洁情况是否满意？"]))
    await asyncio.sleep(0.05)
    assert not play.done()  # the refusal alone does not end the call yet
    q.put_nowait({"type": "ChannelDtmfReceived", "digit": "2", "channel": {"id": "ch1"}})
    q.put_nowait({"type": "ChannelHangupRequest", "channel": {"id": "ch1"}})
    q.put_nowait({"type": "StasisEnd", "channel": {"id": "ch1"}})
    await asyncio.wait_for(play, 1)  # returns: the question is answered
    assert await line.get_key(0.1) == "2"
    with pytest.raises(CallerHungUp):
        await line.play(["感谢您的支持和配合！"])
    pump.cancel()
