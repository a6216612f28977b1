"""Recording files: the whole call through a snoop channel, and sealing any file.

Recording the call's own channel would stop when it joins a bridge (an agent
takeover), so the whole call is recorded on a snoop channel that hears both ways.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import shutil
import wave
from dataclasses import dataclass
from pathlib import Path

from callcenter.kernel.errors import AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter

log = logging.getLogger(__name__)

# how long to wait for the snoop channel's StasisStart before trying to record anyway
SNOOP_WAIT_SECONDS = 2.0
# how long to wait for the whole-call recording to end by itself after the call
CLOSE_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class SealedFile:
    path: Path
    duration: float
    sha256: str


def seal(path: Path) -> SealedFile:
    """Duration and SHA-256 of a finished WAV file, so later tampering can be detected."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    try:
        with wave.open(str(path), "rb") as w:
            duration = w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError):
        duration = max(0.0, (path.stat().st_size - 44) / 16000)
    return SealedFile(path, round(duration, 3), digest.hexdigest())


class WholeCallRecorder:
    def __init__(
        self,
        ari: AriClient,
        router: EventRouter,
        channel_id: str,
        spool_dir: Path,
        recordings_dir: Path,
    ) -> None:
        self.ari = ari
        self.router = router
        self.channel_id = channel_id
        self.snoop_id = f"{channel_id}-snoop"
        self.name = f"{channel_id}-call"
        self.spool_dir = spool_dir
        self.recordings_dir = recordings_dir
        self.started = False

    async def start(self, in_stasis: asyncio.Event | None = None) -> bool:
        """Begin recording; False (logged) if Asterisk refused, the call goes on regardless.

        ``in_stasis``: set when the snoop channel's StasisStart arrives (``AriLine.in_stasis``).
        """
        self.router.alias(self.snoop_id, self.channel_id)
        try:
            await self.ari.snoop(self.channel_id, self.snoop_id, spy="both")
            # The snoop channel enters Stasis asynchronously: recording before its
            # StasisStart fails (404/409), and each refused try costs both sides a
            # request, hundreds of them when hundreds of calls start at once.
            if in_stasis is not None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SNOOP_WAIT_SECONDS):
                        await in_stasis.wait()
            for _ in range(20):
                try:
                    await self.ari.record(
                        self.snoop_id,
                        self.name,
                        beep=False,
                        terminate_on="none",
                        if_exists="overwrite",
                    )
                    self.started = True
                    return True
                except AriError as exc:
                    if exc.status not in (404, 409):
                        raise
                    await asyncio.sleep(0.05)
        except AriError as exc:
            log.warning("call %s: whole-call recording did not start: %s", self.channel_id, exc)
        return False

    async def finish(self, finished: set[str] | None = None) -> SealedFile | None:
        """After the call: wait for Asterisk to close the file, move it, seal it.

        ``finished``: names of the call's recordings already closed (``AriLine``), when
        nobody reads the call's events any more. The snoop channel goes with the call's
        channel and its recording ends with it, so usually its RecordingFinished is
        there or follows within moments; only otherwise (or without ``finished``) is
        the recording stopped and looked up over REST.
        """
        if not self.started:
            return None
        if finished is None or (
            self.name not in finished and not await self._closed_soon(finished)
        ):
            await self._stop()
        src = self.spool_dir / f"{self.name}.wav"
        if not src.exists():
            log.warning("call %s: whole-call recording %s is missing", self.channel_id, src)
            return None
        dst = self.recordings_dir / self.channel_id / "call.wav"
        dst.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(shutil.move, src, dst)
        return await asyncio.to_thread(seal, dst)

    async def _closed_soon(self, finished: set[str]) -> bool:
        """Whether the recording's end arrives among the call's events left after its
        line stopped reading them, within ``CLOSE_WAIT_SECONDS``."""
        queue = self.router.queue_for(self.channel_id)
        if queue is None:
            return False
        try:
            async with asyncio.timeout(CLOSE_WAIT_SECONDS):
                while True:
                    event = await queue.get()
                    if event.get("type") in ("RecordingFinished", "RecordingFailed"):
                        name = event.get("recording", {}).get("name")
                        finished.add(name)
                        if name == self.name:
                            return True
        except TimeoutError:
            return False

    async def _stop(self) -> None:
        """Stop the recording and hang the snoop channel up, then wait for the file."""
        with contextlib.suppress(AriError):
            await self.ari.stop_recording(self.name)
        with contextlib.suppress(AriError):
            await self.ari.hangup(self.snoop_id)
        for _ in range(50):
            try:
                await self.ari.request("GET", f"/recordings/live/{self.name}")
            except AriNotFound:
                break
            except AriError:
                break
            await asyncio.sleep(0.1)
