"""Audio in the form Asterisk plays without transcoding: 8 kHz, mono, 16-bit PCM WAV."""

from __future__ import annotations

import math
import subprocess
import wave
from pathlib import Path

from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from callcenter.errors import PromptError

TELEPHONE_RATE = 8000
SAMPLE_WIDTH = 2
# Spoken level of every prompt, so no prompt is louder than the one before it.
TARGET_DBFS = -16.0
# Peaks stay below this, or the phone network's companding clips them.
PEAK_CEILING_DBFS = -1.0
# Kept before and after the speech: enough not to clip a soft first consonant.
EDGE_PAD_MS = 80
# Below this, relative to the loudest 20 ms, is room noise or a pause, not speech.
SPEECH_FLOOR_DB = 35.0
# A file whose loudest 20 ms is quieter than this holds no usable speech.
SILENT_DBFS = -60.0
FFMPEG_TIMEOUT_S = 60.0

_CHUNK_MS = 20


def to_telephone(src: Path, dst: Path) -> None:
    """Convert any audio file ffmpeg reads into a trimmed, levelled telephone WAV."""
    audio = _trim(_decode(src), src)
    audio = _level(audio)
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(TELEPHONE_RATE)
        out.writeframes(audio.raw_data)


def duration_seconds(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError):
        return len(_decode(path)) / 1000


def _decode(src: Path) -> AudioSegment:
    # ffmpeg rather than pydub's own resampling: audioop.ratecv has no low-pass
    # filter, so hiss above 4 kHz would fold back into the band callers hear.
    command = [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(src),
        "-vn", "-ac", "1", "-ar", str(TELEPHONE_RATE), "-f", "s16le", "-acodec", "pcm_s16le",
        "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=True)
    except FileNotFoundError:
        raise PromptError("ffmpeg is not installed (Debian package ffmpeg)") from None
    except subprocess.TimeoutExpired:
        raise PromptError(f"ffmpeg took over {FFMPEG_TIMEOUT_S:g} s to read {src}") from None
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace").strip()
        raise PromptError(f"ffmpeg cannot read audio file {src}: {stderr}") from None
    return AudioSegment(
        data=done.stdout, sample_width=SAMPLE_WIDTH, frame_rate=TELEPHONE_RATE, channels=1
    )


def _trim(audio: AudioSegment, src: Path) -> AudioSegment:
    loudest = _loudest_chunk_dbfs(audio) if len(audio) else -math.inf
    if loudest < SILENT_DBFS:
        raise PromptError(f"audio file {src} is silent (loudest part {loudest:.0f} dBFS)")
    threshold = loudest - SPEECH_FLOOR_DB
    start = detect_leading_silence(audio, silence_threshold=threshold, chunk_size=10)
    end = len(audio) - detect_leading_silence(
        audio.reverse(), silence_threshold=threshold, chunk_size=10
    )
    return audio[max(start - EDGE_PAD_MS, 0) : min(end + EDGE_PAD_MS, len(audio))]


def _level(audio: AudioSegment) -> AudioSegment:
    """Bring the speech to TARGET_DBFS, measured over speech only, never above the ceiling."""
    speech_dbfs = _speech_dbfs(audio)
    gain = min(TARGET_DBFS - speech_dbfs, PEAK_CEILING_DBFS - audio.max_dBFS)
    return audio.apply_gain(gain)


def _speech_dbfs(audio: AudioSegment) -> float:
    # Pauses between clauses would otherwise pull the average down, making prompts with
    # more commas come out louder.
    chunks = [audio[i : i + _CHUNK_MS] for i in range(0, len(audio), _CHUNK_MS)]
    floor = _loudest_chunk_dbfs(audio) - SPEECH_FLOOR_DB
    powers = [c.rms**2 for c in chunks if c.dBFS > floor]
    mean_rms = math.sqrt(sum(powers) / len(powers))
    return 20 * math.log10(mean_rms / audio.max_possible_amplitude)


def _loudest_chunk_dbfs(audio: AudioSegment) -> float:
    return max(audio[i : i + _CHUNK_MS].dBFS for i in range(0, len(audio), _CHUNK_MS))
