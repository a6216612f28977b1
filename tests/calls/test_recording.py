"""The whole-call recording without Asterisk: started once its snoop channel is in
Stasis, and closed from its own events, without asking Asterisk over REST."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Any

from callcenter.calls.line import AriLine
from callcenter.calls.recording import WholeCallRecorder
from callcenter.kernel.errors import AriError, AriNotFound
from callcenter.telephony.ari.router import EventRouter

CHANNEL = "ch1"


class SnoopingAri:
    """A snoop channel enters Stasis a moment after it is made, as on Asterisk; recording
    on it before then is refused with 409."""

    def __init__(self, router: EventRouter, spool: Path) -> None:
        self.router = router
        self.spool = spool
        self.requests: list[str] = []
        self.in_stasis: set[str] = set()

    async def snoop(self, channel_id: str, snoop_id: str, **_: Any) -> dict[str, Any]:
        self.requests.append(f"snoop {snoop_id}")

        async def enter() -> None:
            await asyncio.sleep(0.2)
            self.in_stasis.add(snoop_id)
            await self.router.dispatch({"type": "StasisStart", "channel": {"id": snoop_id}})

        asyncio.get_running_loop().create_task(enter())
        return {"id": snoop_id}

    async def record(self, channel_id: str, name: str, **_: Any) -> dict[str, Any]:
        self.requests.append(f"record {name}")
        if channel_id not in self.in_stasis:
            raise AriError(f"channel {channel_id} not in Stasis", 409)
        with wave.open(str(self.spool / f"{name}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\0\0" * 8000)
        return {"name": name}

    async def stop_recording(self, name: str) -> None:
        self.requests.append(f"stop {name}")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        self.requests.append(f"hangup {channel_id}")

    async def request(self, method: str, path: str, *a: Any, **k: Any) -> Any:
        self.requests.append(f"{method} {path}")
        raise AriNotFound(f"{path} not found", 404)


async def test_recording_starts_once_the_snoop_channel_is_in_stasis(tmp_path: Path) -> None:
    router = EventRouter()
    ari = SnoopingAri(router, tmp_path)
    line = AriLine(ari, CHANNEL, router.register(CHANNEL), str, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]
    pump = asyncio.create_task(line.pump())
    recorder = WholeCallRecorder(ari, router, CHANNEL, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]

    assert await recorder.start(line.in_stasis(recorder.snoop_id)) is True

    # one try, after the StasisStart: none refused and repeated
    assert ari.requests == [f"snoop {CHANNEL}-snoop", f"record {CHANNEL}-call"]
    pump.cancel()


async def test_a_recording_that_ended_with_the_call_is_sealed_without_requests(
    tmp_path: Path,
) -> None:
    router = EventRouter()
    ari = SnoopingAri(router, tmp_path)
    line = AriLine(ari, CHANNEL, router.register(CHANNEL), str, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]
    pump = asyncio.create_task(line.pump())
    recorder = WholeCallRecorder(ari, router, CHANNEL, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]
    await recorder.start(line.in_stasis(recorder.snoop_id))
    ari.requests.clear()

    # the caller hangs up: the line stops reading at its channel's end, and the
    # snoop channel's recording ends after it
    await router.dispatch({"type": "ChannelDestroyed", "channel": {"id": CHANNEL}, "cause": 16})
    await asyncio.wait_for(pump, 1)
    finished = {
        "type": "RecordingFinished",
        "recording": {"name": f"{CHANNEL}-call", "target_uri": f"channel:{CHANNEL}-snoop"},
    }
    await router.dispatch(finished)
    sealed = await recorder.finish(line.recordings_finished)

    assert sealed is not None
    assert sealed.path == tmp_path / "rec" / CHANNEL / "call.wav"
    assert sealed.duration == 1.0
    assert ari.requests == []


async def test_a_recording_that_does_not_end_is_stopped(tmp_path: Path, monkeypatch: Any) -> None:
    from callcenter.calls import recording

    monkeypatch.setattr(recording, "CLOSE_WAIT_SECONDS", 0.1)
    router = EventRouter()
    ari = SnoopingAri(router, tmp_path)
    line = AriLine(ari, CHANNEL, router.register(CHANNEL), str, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]
    pump = asyncio.create_task(line.pump())
    recorder = WholeCallRecorder(ari, router, CHANNEL, tmp_path, tmp_path / "rec")  # type: ignore[arg-type]
    await recorder.start(line.in_stasis(recorder.snoop_id))
    ari.requests.clear()
    await router.dispatch({"type": "ChannelDestroyed", "channel": {"id": CHANNEL}, "cause": 16})
    await asyncio.wait_for(pump, 1)

    sealed = await recorder.finish(line.recordings_finished)

    assert sealed is not None
    assert ari.requests == [
        f"stop {CHANNEL}-call",
        f"hangup {CHANNEL}-snoop",
        f"GET /recordings/live/{CHANNEL}-call",
    ]
