import math
import subprocess
from pathlib import Path

import pytest

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts.audio import (
    EDGE_PAD_MS,
    PEAK_CEILING_DBFS,
    TARGET_DBFS,
    duration_seconds,
    to_telephone,
)

from .helpers import read_wav, write_tone


def test_converts_to_8khz_mono_16bit(tmp_path: Path) -> None:
    src = write_tone(tmp_path / "in.wav", 1.0, rate=44100, channels=2)
    to_telephone(src, tmp_path / "out.wav")
    out = read_wav(tmp_path / "out.wav")
    assert (out.rate, out.channels, out.sample_width) == (8000, 1, 2)


def test_trims_leading_and_trailing_silence_keeping_a_short_pad(tmp_path: Path) -> None:
    src = write_tone(tmp_path / "in.wav", 1.0, silence_before=1.5, silence_after=2.0)
    to_telephone(src, tmp_path / "out.wav")
    pad = 2 * EDGE_PAD_MS / 1000
    assert duration_seconds(tmp_path / "out.wav") == pytest.approx(1.0 + pad, abs=0.03)


@pytest.mark.parametrize("dbfs", [-40.0, -25.0, -3.0])
def test_quiet_and_loud_inputs_come_out_at_the_same_level(tmp_path: Path, dbfs: float) -> None:
    src = write_tone(tmp_path / "in.wav", 1.0, dbfs=dbfs)
    to_telephone(src, tmp_path / "out.wav")
    assert read_wav(tmp_path / "out.wav").rms_dbfs == pytest.approx(TARGET_DBFS, abs=0.5)


def test_peaks_are_kept_below_the_ceiling(tmp_path: Path) -> None:
    # A click train: high peaks, low average, so the target level would clip it.
    src = write_tone(tmp_path / "in.wav", 1.0, dbfs=-30.0, hz=20.0)
    with open(src, "r+b") as f:  # put a full-scale click every 0.1 s
        for n in range(10):
            f.seek(44 + n * 4410 * 4)
            f.write(b"\xff\x7f\xff\x7f")
    to_telephone(src, tmp_path / "out.wav")
    assert read_wav(tmp_path / "out.wav").peak_dbfs <= PEAK_CEILING_DBFS + 0.1


@pytest.mark.parametrize("suffix", [".mp3", ".ogg", ".flac"])
def test_reads_compressed_recordings(tmp_path: Path, suffix: str) -> None:
    wav = write_tone(tmp_path / "in.wav", 1.0)
    src = tmp_path / f"in{suffix}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", wav, src], check=True)
    to_telephone(src, tmp_path / "out.wav")
    out = read_wav(tmp_path / "out.wav")
    assert (out.rate, out.channels) == (8000, 1)
    assert out.seconds == pytest.approx(1.0, abs=0.1)
    assert duration_seconds(src) == pytest.approx(1.0, abs=0.1)


def test_wav_with_a_codec_sox_lacks_is_read_by_ffmpeg(tmp_path: Path) -> None:
    pcm = write_tone(tmp_path / "pcm.wav", 1.0)
    src = tmp_path / "mp3-inside.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", pcm, "-acodec", "libmp3lame", src], check=True
    )
    to_telephone(src, tmp_path / "out.wav")
    assert read_wav(tmp_path / "out.wav").seconds == pytest.approx(1.0, abs=0.1)


def test_silent_input_is_an_error(tmp_path: Path) -> None:
    src = write_tone(tmp_path / "in.wav", 1.0, dbfs=-math.inf)
    with pytest.raises(PromptError, match="silent"):
        to_telephone(src, tmp_path / "out.wav")


def test_a_file_that_is_not_audio_is_an_error_naming_it(tmp_path: Path) -> None:
    src = tmp_path / "notes.mp3"
    src.write_text("not audio")
    with pytest.raises(PromptError, match=r"notes\.mp3"):
        to_telephone(src, tmp_path / "out.wav")
