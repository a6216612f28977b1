"""Recording files checked against their sealed SHA-256, with the digest cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from callcenter.calls.integrity import RecordingStatus, RecordingVerifier
from callcenter.kernel.errors import LedgerError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "recordings" / "a1").mkdir(parents=True)
    return tmp_path


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_intact_missing_unsealed(root: Path) -> None:
    digest = _write(root / "recordings/a1/call.wav", b"RIFF....WAVE" * 100)
    verifier = RecordingVerifier(root)
    check = verifier.check("recordings/a1/call.wav", digest)
    assert check.status is RecordingStatus.INTACT and check.status.playable
    assert check.path == (root / "recordings/a1/call.wav").resolve()
    assert verifier.check("recordings/a1/gone.wav", digest).status is RecordingStatus.MISSING
    unsealed = verifier.check("recordings/a1/call.wav", None)
    assert unsealed.status is RecordingStatus.UNSEALED and unsealed.sha256 == digest


def test_one_changed_byte_is_altered_even_with_the_old_mtime(root: Path) -> None:
    path = root / "recordings/a1/call.wav"
    digest = _write(path, bytes(range(256)) * 64)
    verifier = RecordingVerifier(root)
    assert verifier.check(path, digest).status is RecordingStatus.INTACT
    before = path.stat()
    with path.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00" if f.read(1) != b"\x00" else b"\x01")
    # Put the modification time back, as someone covering their tracks would.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    check = verifier.check(path, digest)
    assert check.status is RecordingStatus.ALTERED
    assert check.status.label == "录音文件已被改动"
    assert not check.status.playable


def test_absolute_paths_and_escapes(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.wav"
    digest = _write(elsewhere, b"x")
    verifier = RecordingVerifier(root)
    assert verifier.check(elsewhere, digest).status is RecordingStatus.INTACT
    with pytest.raises(LedgerError, match="outside the storage root"):
        verifier.check("../../etc/passwd", None)


def test_digest_is_cached_while_the_file_is_unchanged(root: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = root / "recordings/a1/call.wav"
    digest = _write(path, b"abc" * 1000)
    verifier = RecordingVerifier(root)
    opened: list[Path] = []
    original = Path.open

    def counting_open(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    for _ in range(3):
        assert verifier.check(path, digest).status is RecordingStatus.INTACT
    assert len(opened) == 1
