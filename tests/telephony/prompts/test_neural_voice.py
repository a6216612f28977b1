"""The neural voice itself (TensorFlow in its own virtualenv, ``make voice``).

Skipped, with this reason printed, where the voice is not installed: it is an opt-in
1.5 GB install and not part of ``make test``.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.neural import NeuralEngine, is_installed
from callcenter.transcription.cer import score
from callcenter.transcription.whisper_engine import WhisperTranscriber
from tests.telephony.prompts.helpers import read_wav
from tests.transcription.conftest import whisper_model_dir

pytestmark = pytest.mark.skipif(
    not is_installed(),
    reason="the neural voice is not installed (opt-in, 1.5 GB): run `make voice`",
)


@pytest.fixture(scope="module")
def engine() -> Iterator[NeuralEngine]:
    voice = NeuralEngine()
    yield voice
    voice.close()


def test_speaks_a_prompt_at_24_khz(engine: NeuralEngine, tmp_path: Path) -> None:
    out = tmp_path / "raw.wav"
    engine.synthesize("您好，请问您现在方便接听电话吗？", out)
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (24000, 1)
        seconds = wav.getnframes() / wav.getframerate()
    assert 2.0 < seconds < 6.0  # 15 syllables and one pause


def test_keypad_guide_is_understood_on_the_telephone(engine: NeuralEngine, tmp_path: Path) -> None:
    cache = PromptCache(engine, tmp_path / "cache")
    text = "方便接听请按1，不方便请按2。"
    path = cache.render(text)
    info = read_wav(path)
    assert info.rate == 8000
    assert info.peak_dbfs <= -0.9  # levelled below the ceiling the network clips at
    heard = WhisperTranscriber(whisper_model_dir()).transcribe(path)
    assert score("方便接听请按一不方便请按二", heard).cer <= 0.25, heard


def test_the_same_prompt_sounds_the_same_every_time(engine: NeuralEngine, tmp_path: Path) -> None:
    # the model's dropout is switched off: no render differs from the last, so the
    # prompt that was measured and listened to is the one callers hear
    text = "满意请按1，不满意请按2。"
    engine.synthesize(text, tmp_path / "a.wav")
    engine.synthesize(text, tmp_path / "b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_one_process_serves_many_prompts(engine: NeuralEngine, tmp_path: Path) -> None:
    engine.synthesize("感谢您的支持！", tmp_path / "a.wav")
    first = engine._process
    engine.synthesize("再见。", tmp_path / "b.wav")
    assert engine._process is first and first is not None and first.poll() is None


def test_a_dead_process_is_started_again(engine: NeuralEngine, tmp_path: Path) -> None:
    engine.synthesize("您好。", tmp_path / "a.wav")
    assert engine._process is not None
    engine._process.kill()
    engine._process.wait()
    engine.synthesize("您好。", tmp_path / "b.wav")
    assert (tmp_path / "b.wav").stat().st_size > 1000


def test_an_unwritable_output_is_an_error_naming_the_prompt(
    engine: NeuralEngine, tmp_path: Path
) -> None:
    with pytest.raises(PromptError, match="could not speak '您好'"):
        engine.synthesize("您好", tmp_path / "missing-dir" / "out.wav")
