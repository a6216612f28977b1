"""Is a recording file still the one the ledger sealed? Checked whenever it is shown.

Hashing a long recording on every page view would be wasteful, so a digest is reused
while the file's identity and stat are unchanged. The key includes the inode change
time, which no user can set back, so restoring the modification time after editing
a file does not make the old digest apply again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from callcenter.kernel.errors import LedgerError


class RecordingStatus(StrEnum):
    INTACT = "intact"
    MISSING = "missing"
    ALTERED = "altered"
    UNSEALED = "unsealed"  # no SHA-256 stored yet, so nothing to compare with

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def playable(self) -> bool:
        """Whether the file may be served: never a missing or altered one."""
        return self in (RecordingStatus.INTACT, RecordingStatus.UNSEALED)


STATUS_LABELS = {
    RecordingStatus.INTACT: "校验一致",
    RecordingStatus.MISSING: "录音文件缺失",
    RecordingStatus.ALTERED: "录音文件已被改动",
    RecordingStatus.UNSEALED: "未登记校验值，无法核验",
}


@dataclass(frozen=True)
class RecordingCheck:
    status: RecordingStatus
    path: Path
    size: int | None = None
    sha256: str | None = None  # of the file as it is now


_StatKey = tuple[str, int, int, int, int, int]


class RecordingVerifier:
    """Checks recording files under ``storage_root`` against their stored SHA-256."""

    def __init__(self, storage_root: Path, *, cache_size: int = 4096) -> None:
        self.storage_root = storage_root.resolve()
        self._cache: OrderedDict[_StatKey, str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def resolve(self, stored_path: str | Path) -> Path:
        """The file a ledger path names: relative ones lie under the storage root."""
        path = Path(stored_path)
        if path.is_absolute():
            return path
        full = (self.storage_root / path).resolve()
        if not full.is_relative_to(self.storage_root):
            raise LedgerError(f"recording path {stored_path!r} leads outside the storage root")
        return full

    def check(self, stored_path: str | Path, expected_sha256: str | None) -> RecordingCheck:
        path = self.resolve(stored_path)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return RecordingCheck(RecordingStatus.MISSING, path)
        if not path.is_file():
            return RecordingCheck(RecordingStatus.MISSING, path)
        digest = self._digest(path, st)
        if expected_sha256 is None:
            status = RecordingStatus.UNSEALED
        elif digest == expected_sha256.lower():
            status = RecordingStatus.INTACT
        else:
            status = RecordingStatus.ALTERED
        return RecordingCheck(status, path, st.st_size, digest)

    def _digest(self, path: Path, st: os.stat_result) -> str:
        key = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 16), b""):
                digest.update(block)
        value = digest.hexdigest()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value
