"""Shared by the prompt tests: test signals, WAV measurements, stand-in engines."""

from __future__ import annotations

import math
import struct
import threading
import time
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from callcenter.telephony.prompts.tts import TtsEngine


@dataclass(frozen=True)
class WavInfo:
    rate: int
    channels: int
    sample_width: int
    seconds: float
    rms_dbfs: float
    peak_dbfs: float


def read_wav(path: Path) -> WavInfo:
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        info = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes())
    samples = array("h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))
    peak = max((abs(s) for s in samples), default=0)
    return WavInfo(
        rate=info[0],
        channels=info[1],
        sample_width=info[2],
        seconds=info[3] / info[0],
        rms_dbfs=_dbfs(rms),
        peak_dbfs=_dbfs(peak),
    )


def _dbfs(value: float) -> float:
    return 20 * math.log10(value / 32768) if value else -math.inf


def write_tone(
    path: Path,
    seconds: float,
    *,
    rate: int = 44100,
    channels: int = 2,
    dbfs: float = -10.0,
    hz: float = 440.0,
    silence_before: float = 0.0,
    silence_after: float = 0.0,
) -> Path:
    """A sine tone with optional silence around it, as 16-bit PCM WAV."""
    amplitude = 32767 * 10 ** (dbfs / 20) * math.sqrt(2)  # sine peak for that RMS
    amplitude = min(amplitude, 32767)
    samples = (
        [0] * int(silence_before * rate)
        + [
            int(amplitude * math.sin(2 * math.pi * hz * n / rate))
            for n in range(int(seconds * rate))
        ]
        + [0] * int(silence_after * rate)
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(
            b"".join(struct.pack("<" + "h" * channels, *([s] * channels)) for s in samples)
        )
    return path


class ToneEngine:
    """A fast stand-in engine: a tone as long as the text, slow enough to race."""

    name = "tone"
    cache_tag = "tone/1"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, out: Path) -> None:
        with self._lock:
            self.texts.append(text)
        time.sleep(self.delay)
        write_tone(out, 0.1 * len(text), rate=16000, channels=1, hz=200 + 10 * len(text))


class CountingEngine:
    """Wraps a real engine and counts how often it synthesises."""

    def __init__(self, inner: TtsEngine) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls = 0
        self._lock = threading.Lock()

    @property
    def cache_tag(self) -> str:
        return self.inner.cache_tag

    def synthesize(self, text: str, out: Path) -> None:
        with self._lock:
            self.calls += 1
        self.inner.synthesize(text, out)
