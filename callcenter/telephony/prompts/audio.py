"""Audio in the form Asterisk plays without transcoding: 8 kHz, mono, 16-bit PCM WAV."""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
import wave
from pathlib import Path

from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from callcenter.kernel.errors import PromptError

log = logging.getLogger(__name__)

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
DECODE_TIMEOUT_S = 60.0
# Input is scaled down before resampling, whose ringing would clip a full-scale
# recording; _level restores the loudness afterwards.
_HEADROOM = 0.7

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
    """Read ``src`` as 8 kHz mono 16-bit samples.

    sox for WAV, which the engine writes for every per-call prompt: it starts in a few
    milliseconds where ffmpeg needs about 70. ffmpeg for everything else. Either way the
    resampler low-pass filters; pydub's own (audioop.ratecv) does not, and would fold hiss
    above 4 kHz back into the band callers hear.
    """
    src = src.resolve()
    sox = shutil.which("sox")
    if sox is not None and src.suffix.lower() == ".wav":
        try:
            return _run_decoder(_sox_command(sox, src), src)
        except PromptError as exc:
            # A WAV may hold a codec sox lacks (MP3, GSM); ffmpeg reads those.
            log.debug("trying ffmpeg after sox failed: %s", exc)
    return _run_decoder(_ffmpeg_command(src), src)


def _sox_command(sox: str, src: Path) -> list[str]:
    return [
        sox, "-V1", "-D", "-v", str(_HEADROOM), str(src),
        "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", str(TELEPHONE_RATE),
        "-", "remix", "-", "rate",
    ]  # fmt: skip


def _ffmpeg_command(src: Path) -> list[str]:
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(src),
        "-vn", "-af", f"volume={_HEADROOM}", "-ac", "1", "-ar", str(TELEPHONE_RATE),
        "-f", "s16le", "-acodec", "pcm_s16le", "-",
    ]  # fmt: skip


def _run_decoder(command: list[str], src: Path) -> AudioSegment:
    tool = Path(command[0]).name
    try:
        done = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_S, check=True)
    except FileNotFoundError:
        raise PromptError(f"{tool} is not installed (Debian package {tool})") from None
    except subprocess.TimeoutExpired:
        raise PromptError(f"{tool} took over {DECODE_TIMEOUT_S:g} s to read {src}") from None
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace").strip()
        raise PromptError(f"{tool} cannot read audio file {src}: {stderr}") from None
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
