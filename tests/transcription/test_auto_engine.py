"""``engine = "auto"``: Vosk when a Chinese Vosk model is installed, else faster-whisper."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.transcription.config import TranscriptionSettings
from callcenter.transcription.engine import chosen_engine, is_chinese_vosk_model


def _vosk_model(root: Path, name: str) -> Path:
    model = root / name
    (model / "am").mkdir(parents=True)
    (model / "am" / "final.mdl").write_bytes(b"x")
    (model / "conf").mkdir()
    (model / "conf" / "mfcc.conf").write_text("--sample-frequency=16000\n")
    (model / "graph").mkdir()
    return model


def test_auto_is_the_default() -> None:
    assert TranscriptionSettings().engine == "auto"


def test_auto_takes_vosk_when_a_chinese_model_is_installed(tmp_path: Path) -> None:
    model = _vosk_model(tmp_path, "vosk-model-small-cn-0.22")
    settings = TranscriptionSettings(vosk_model_dir=model)
    assert chosen_engine(settings) == "vosk"


@pytest.mark.parametrize("name", ["vosk-model-cn-kaldi-multicn-0.15", "vosk-model-zh-0.1"])
def test_other_chinese_model_names_count(tmp_path: Path, name: str) -> None:
    assert is_chinese_vosk_model(_vosk_model(tmp_path, name))


def test_auto_takes_whisper_without_a_vosk_model(tmp_path: Path) -> None:
    settings = TranscriptionSettings(vosk_model_dir=tmp_path / "vosk-model-small-cn-0.22")
    assert chosen_engine(settings) == "faster-whisper"


def test_auto_takes_whisper_when_the_vosk_model_is_not_chinese(tmp_path: Path) -> None:
    # the Korean model from PyPI has every file a Vosk model needs, but not the language
    model = _vosk_model(tmp_path, "vosk-model-small-ko-0.22")
    assert chosen_engine(TranscriptionSettings(vosk_model_dir=model)) == "faster-whisper"


def test_auto_takes_whisper_when_the_chinese_model_is_incomplete(tmp_path: Path) -> None:
    model = _vosk_model(tmp_path, "vosk-model-small-cn-0.22")
    (model / "am" / "final.mdl").unlink()
    assert chosen_engine(TranscriptionSettings(vosk_model_dir=model)) == "faster-whisper"


def test_a_named_engine_is_taken_as_named(tmp_path: Path) -> None:
    missing = tmp_path / "nothing"
    assert chosen_engine(TranscriptionSettings(engine="vosk", vosk_model_dir=missing)) == "vosk"
    model = _vosk_model(tmp_path, "vosk-model-small-cn-0.22")
    whisper = TranscriptionSettings(engine="faster-whisper", vosk_model_dir=model)
    assert chosen_engine(whisper) == "faster-whisper"
