from __future__ import annotations

import asyncio
import contextlib
import math
import struct
import uuid
import wave
from pathlib import Path
from typing import Any

import pytest

from callcenter.kernel.errors import AriError
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.prompts.cache import media_uri
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.process import Sandbox
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk


def test_up_is_idempotent_and_status_says_what_runs_where(sandbox: Settings) -> None:
    box = Sandbox(sandbox)
    before = box.status()
    assert before.running and before.ari_ok
    again = box.up()  # same config: nothing restarts
    assert again.pid == before.pid
    text = again.describe()
    assert "Asterisk 22." in text
    assert "http://127.0.0.1:8088 (answers)" in text
    assert "udp 127.0.0.1:5070 (simulated applicants)" in text


def _prompt(path: Path) -> Path:
    """A 2.6 s prompt: a tone, a 0.6 s pause (as between two sentences), a tone."""
    tone = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(8000)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(tone + b"\0\0" * 4800 + tone)
    return path


async def test_a_listening_applicant_presses_once_the_prompt_has_ended(sandbox: Settings) -> None:
    """``k<key>`` presses a second or two after the IVR stops talking: after a prompt
    (the IVR then sends no audio at all) and while it records (it sends silence)."""
    settings = e2e_settings()
    prompt = _prompt(TEST_STORAGE / "sandbox-test" / "prompt.wav")
    number = "1396" + str(uuid.uuid4().int)[:7]
    channel = f"listen-{uuid.uuid4().hex}"
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def handler(event: dict[str, Any]) -> None:
        await events.put({**event, "at": loop.time()})

    async def until(kind: str, timeout: float) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while (event := await events.get())["type"] != kind:
                pass
        return event

    async with AriClient(settings.ari) as ari:
        await simulator.program(ari, number, simulator.answer("k5", "k#"))
        pump = asyncio.create_task(ari.run_events(handler))
        try:
            await ari.wait_connected(10)
            await ari.originate(f"PJSIP/{number}@trunk", channel_id=channel, timeout=10)
            await until("StasisStart", 15)
            await ari.play(channel, media_uri(prompt), uuid.uuid4().hex)
            finished = await until("PlaybackFinished", 10)
            key = await until("ChannelDtmfReceived", 10)
            assert key["digit"] == "5"
            # not into the pause inside the prompt, and not long after its end
            assert 0.5 < key["at"] - finished["at"] < 3.0, key["at"] - finished["at"]
            await ari.record(channel, channel, max_duration_seconds=20, terminate_on="#")
            started = await until("RecordingStarted", 5)
            key = await until("ChannelDtmfReceived", 10)
            assert key["digit"] == "#"
            assert key["at"] - started["at"] < 4.0, key["at"] - started["at"]
        finally:
            with contextlib.suppress(AriError):
                await ari.hangup(channel)
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
