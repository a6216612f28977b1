"""Typed application keys of the recordings pages: where a recording's stored facts are
looked up, and the checker every recording passes before it is shown or served."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from aiohttp import web

from callcenter.calls.integrity import RecordingVerifier


class StoredRecording(Protocol):
    """What serving a recording needs of its row."""

    @property
    def id(self) -> int: ...

    @property
    def attempt_id(self) -> str: ...

    @property
    def kind(self) -> str:
        """'call' for the whole call, 'answer' for one answer."""
        ...

    @property
    def path(self) -> str | Path: ...

    @property
    def sha256(self) -> str | None: ...


class RecordingFinder(Protocol):
    def recording(self, recording_id: int) -> StoredRecording | None: ...


RECORDINGS: web.AppKey[RecordingFinder] = web.AppKey("recordings")
VERIFIER = web.AppKey("recording_verifier", RecordingVerifier)
