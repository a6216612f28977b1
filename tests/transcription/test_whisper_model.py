"""The Whisper model joined from its two PyPI packages: once, checked, safe to repeat."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from callcenter.kernel.errors import TranscriptionError
from callcenter.transcription import whisper_model
from callcenter.transcription.whisper_model import MARKER, MODEL_SHA256, ensure_model, is_ready


def test_join_once_then_reuse(tmp_path: Path) -> None:
    target = tmp_path / "models" / "whisper-base"
    results: list[Path] = []
    # two workers starting together: one joins, the other waits and finds it made
    threads = [
        threading.Thread(target=lambda: results.append(ensure_model(target))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [target, target]
    assert (target / MARKER).read_text().strip() == MODEL_SHA256
    assert {p.name for p in target.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
        MARKER,
    }
    assert (target / "model.bin").stat().st_size == 145_217_532
    made = (target / "model.bin").stat().st_mtime_ns
    ensure_model(target)
    assert (target / "model.bin").stat().st_mtime_ns == made
    assert not list(target.parent.glob(".*partial"))


def test_changed_parts_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "site"
    for n in (1, 2):
        data = fake / f"part{n}" / "data"
        data.mkdir(parents=True)
        (data / f"model.bin.part{n}").write_bytes(b"x" * 10)
    for name in whisper_model.SIDE_FILES:
        (fake / "part1" / "data" / name).write_text("{}")
    monkeypatch.setattr(
        whisper_model, "_data_dir", lambda module, package: fake / f"part{module[-1]}" / "data"
    )
    target = tmp_path / "whisper-base"
    with pytest.raises(TranscriptionError, match=r"has SHA-256 .* not the expected"):
        ensure_model(target)
    assert not target.exists() and not is_ready(target)
    assert not (tmp_path / ".whisper-base.partial").exists()


def test_a_model_put_there_by_hand_is_used(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"ct2")
    (tmp_path / "config.json").write_text("{}")
    assert ensure_model(tmp_path) == tmp_path
    assert not (tmp_path / MARKER).exists()
