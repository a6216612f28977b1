"""The telephone line of one answered call, over ARI: the ``CallPort`` of the flow.

Events for the call arrive on a queue in order (see ``ari.router``); a pump turns them
into a key buffer and completion signals. Keys pressed while a prompt plays stop it
(barge-in) and stay in the buffer for the next question (type-ahead).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from callcenter.interview.port import CallerHungUp, Recording
from callcenter.interview.takeover import HandoverRequest, HandoverResult
from callcenter.kernel.errors import AriError, AriNotFound
from callcenter.telephony.ari.client import AriClient

log = logging.getLogger(__name__)

Event = dict[str, Any]
MediaFor = Callable[[str], str]
Handover = Callable[[HandoverRequest], Awaitable[HandoverResult]]

HANGUP_EVENTS = frozenset({"ChannelHangupRequest", "StasisEnd", "ChannelDestroyed"})
# synthetic event the controller puts on the queue after the events WebSocket reconnects
RESYNC = "CallcenterResync"
# how long a hung-up line waits for the channel to leave the app, for a last key
LAST_KEYS_SECONDS = 1.0
# how long to trust that an awaited event will come before asking Asterisk directly
POLL_SECONDS = 20.0


class AriLine:
    def __init__(
        self,
        ari: AriClient,
        channel_id: str,
        events: asyncio.Queue[Event],
        media_for: MediaFor,
        spool_dir: Path,
        recordings_dir: Path,
    ) -> None:
        self.ari = ari
        self.channel_id = channel_id
        self.events = events
        self.media_for = media_for
        self.spool_dir = spool_dir
        self.recordings_dir = recordings_dir
        self.keys: asyncio.Queue[str] = asyncio.Queue()
        self.hung_up = asyncio.Event()
        # the channel has left the app: after this no event of it comes, a key included
        self.left = asyncio.Event()
        self.hangup_cause: int | None = None
        self.key_seen = asyncio.Event()
        self._playback_id: str | None = None
        # the call's channel id is unique already: a count after it names its prompts
        # (a random id per prompt cost a system call each)
        self._playbacks = itertools.count(1)
        self._playback_done = asyncio.Event()
        self._recording_name: str | None = None
        self._recording_done = asyncio.Event()
        self._recording_event: Event = {}
        # other channels of the call that entered Stasis (the snoop channel recording it)
        self._stasis: dict[str, asyncio.Event] = {}
        self._waiters: list[asyncio.Future[None]] = []
        # every recording of the call Asterisk has closed, by name
        self.recordings_finished: set[str] = set()
        self.key_times: list[float] = []  # when each key arrived (loop time), for latency
        self.prompt_starts: list[float] = []
        self.played: list[str] = []  # every text sent to the line, in order
        # how to put the caller through to an agent, when agents are set up (agents.desk)
        self.handover: Handover | None = None

    # -- event pump ---------------------------------------------------------
    async def pump(self) -> None:
        """Consume this call's events until the channel is destroyed."""
        while True:
            event = await self.events.get()
            self._wake_waiters()
            kind = event.get("type")
            if kind == "ChannelDtmfReceived":
                self.key_times.append(asyncio.get_running_loop().time())
                self.keys.put_nowait(event["digit"])
                self.key_seen.set()
            elif kind == "PlaybackStarted" and self._is_current_playback(event):
                self.prompt_starts.append(asyncio.get_running_loop().time())
            elif kind == "PlaybackFinished" and self._is_current_playback(event):
                self._playback_done.set()
            elif kind in ("RecordingFinished", "RecordingFailed"):
                name = event.get("recording", {}).get("name")
                self.recordings_finished.add(name)
                if name == self._recording_name:
                    self._recording_event = event
                    self._recording_done.set()
            elif kind == "StasisStart":
                self.in_stasis(event.get("channel", {}).get("id", "")).set()
            elif kind == RESYNC:
                await self._resync(event)
                self._wake_waiters()  # a waiter may have looked while Asterisk was asked
                if self.channel_id not in event.get("channel_ids", set()):
                    return  # Asterisk has no such channel: no event of it will come
            if kind in HANGUP_EVENTS and event.get("channel", {}).get("id") == self.channel_id:
                if kind == "ChannelDestroyed":
                    self.hangup_cause = event.get("cause")
                if kind != "ChannelHangupRequest":
                    self.left.set()
                self.hung_up.set()
                if kind == "ChannelDestroyed":
                    return

    def in_stasis(self, channel_id: str) -> asyncio.Event:
        """Set once the call's channel ``channel_id`` (a snoop channel) has entered Stasis."""
        return self._stasis.setdefault(channel_id, asyncio.Event())

    def _is_current_playback(self, event: Event) -> bool:
        return event.get("playback", {}).get("id") == self._playback_id

    async def _resync(self, event: Event) -> None:
        """Events were lost while the WebSocket was down: ask Asterisk what still exists."""
        if self.channel_id not in event.get("channel_ids", set()):
            self.hung_up.set()
            self.left.set()
            self._playback_done.set()
            self._recording_done.set()
            return
        if self._playback_id and not self._playback_done.is_set():
            try:
                await self.ari.request("GET", f"/playbacks/{self._playback_id}")
            except AriNotFound:
                self._playback_done.set()
        if self._recording_name and not self._recording_done.is_set():
            try:
                await self.ari.request("GET", f"/recordings/live/{self._recording_name}")
            except AriNotFound:
                self._recording_done.set()

    # -- CallPort -------------------------------------------------------------
    async def play(self, texts: list[str], barge_in: bool = True) -> None:
        # a key typed ahead answers the question, even if the caller hung up right after
        # it: both can reach us together, or the key after the hang-up, when it is busy
        if barge_in:
            await self._last_keys()
        if barge_in and not self.keys.empty():
            return  # the caller already answered: do not make them listen
        self._check()
        playback_id = f"{self.channel_id}-p{next(self._playbacks)}"
        self._playback_id = playback_id
        self.played.extend(texts)
        self._playback_done.clear()
        self.key_seen.clear()
        try:
            await self.ari.play(self.channel_id, [self.media_for(t) for t in texts], playback_id)
        except AriError as exc:
            gone = _gone_or(exc)
            if barge_in and isinstance(gone, CallerHungUp) and await self._key_after_all():
                return  # typed ahead, then gone while the prompt was being started
            raise gone from None
        stop_on = (self.key_seen, self.hung_up) if barge_in else (self.hung_up,)
        done = await self._until(f"/playbacks/{playback_id}", self._playback_done, *stop_on)
        if done is self.key_seen:
            with contextlib.suppress(AriNotFound):  # the caller may have gone with it
                await self.ari.stop_playback(playback_id)
        self._playback_id = None
        if barge_in:
            await self._last_keys()
        if not (barge_in and not self.keys.empty()):
            self._check()

    async def get_key(self, timeout: float) -> str | None:
        # a key pressed just before hanging up still counts
        await self._last_keys()
        if not self.keys.empty():
            return self.keys.get_nowait()
        self._check()
        self.key_seen.clear()
        try:
            async with asyncio.timeout(timeout):
                await self._first(self.key_seen, self.hung_up)
        except TimeoutError:
            return None
        # also when the hang-up came with it: the # ending a typed number, then gone
        await self._last_keys()
        if not self.keys.empty():
            return self.keys.get_nowait()
        self._check()
        return self.keys.get_nowait()

    async def record(self, step_id: str, max_seconds: int, max_silence: int) -> Recording | None:
        self._check()
        name = f"{self.channel_id}-{step_id}"
        self._recording_name = name
        self._recording_done.clear()
        try:
            await self.ari.record(
                self.channel_id,
                name,
                max_duration_seconds=max_seconds,
                max_silence_seconds=max_silence,
                beep=True,
                terminate_on="#",
            )
        except AriError as exc:
            raise _gone_or(exc) from None
        done = await self._until(f"/recordings/live/{name}", self._recording_done, self.hung_up)
        if done is self.hung_up:
            # Asterisk closes the file when the channel goes; give it a moment to say so.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._recording_done.wait()
        self._recording_name = None
        return self._keep(name, step_id)

    def clear_keys(self) -> None:
        while not self.keys.empty():
            self.keys.get_nowait()

    async def hand_over(self, request: HandoverRequest) -> HandoverResult:
        self._check()
        if self.handover is None:
            return HandoverResult(connected=False, offered=False)
        return await self.handover(request)

    # -- helpers --------------------------------------------------------------
    def _keep(self, name: str, step_id: str) -> Recording | None:
        src = self.spool_dir / f"{name}.wav"
        if not src.exists() or src.stat().st_size <= 44:  # a bare WAV header
            log.info("call %s: nothing recorded for %s", self.channel_id, step_id)
            return None
        dst = self.recordings_dir / self.channel_id / f"{step_id}.wav"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src, dst)
        duration = self._recording_event.get("recording", {}).get("duration")
        if duration is None:
            duration = max(0.0, (dst.stat().st_size - 44) / 16000)
        return Recording(dst, float(duration))

    async def _last_keys(self) -> None:
        """After the caller's hang-up request, wait (briefly) for the channel to leave the
        app: Asterisk may still send a key pressed just before, until then."""
        if self.keys.empty() and self.hung_up.is_set() and not self.left.is_set():
            self.key_seen.clear()  # no key waiting: a set flag is an old one
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LAST_KEYS_SECONDS):
                    await self._first(self.left, self.key_seen)

    async def _key_after_all(self) -> bool:
        """Whether a key came after all, once Asterisk has said the caller went: the
        request that found them gone may have overtaken the events of their last key."""
        if not self.hung_up.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LAST_KEYS_SECONDS):
                    await self._first(self.hung_up)
        await self._last_keys()
        return not self.keys.empty()

    def _check(self) -> None:
        if self.hung_up.is_set():
            raise CallerHungUp()

    async def _until(
        self, resource: str, done: asyncio.Event, *others: asyncio.Event
    ) -> asyncio.Event:
        """Wait for ``done`` or another event; if Asterisk stays silent, ask it.

        An event lost on the way (a busy WebSocket, a reconnect) must not leave the
        call waiting forever: every ``POLL_SECONDS`` the resource is looked up, and a
        resource that no longer exists counts as done.
        """
        while True:
            try:
                async with asyncio.timeout(POLL_SECONDS):
                    return await self._first(done, *others)
            except TimeoutError:
                try:
                    await self.ari.request("GET", resource)
                except AriNotFound:
                    log.warning("call %s: %s ended without its event", self.channel_id, resource)
                    done.set()

    async def _first(self, *events: asyncio.Event) -> asyncio.Event:
        """The first of ``events`` set (the earliest given when several are).

        The line's flags are set by its own event pump, so waiting means looking again
        after each event it takes: one future per wait instead of a task per flag, at
        every prompt and key of every call.
        """
        while True:
            for e in events:
                if e.is_set():
                    return e
            woken = asyncio.get_running_loop().create_future()
            self._waiters.append(woken)
            try:
                await woken
            finally:
                self._waiters.remove(woken)

    def _wake_waiters(self) -> None:
        # called before the pump handles an event; the waiter looks once that is done,
        # since a future's callbacks run only after the pump's step has finished
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def key_latencies(self) -> list[float]:
        """For each key press, the time until the next prompt started playing."""
        out: list[float] = []
        for k in self.key_times:
            nxt = next((p for p in self.prompt_starts if p >= k), None)
            if nxt is not None:
                out.append(nxt - k)
        return out

    async def hangup(self) -> None:
        with contextlib.suppress(AriNotFound, AriError):
            await self.ari.hangup(self.channel_id)


def _gone_or(exc: AriError) -> Exception:
    """404 (no such channel) and 409 (no longer in Stasis) mean the caller has gone."""
    if exc.status in (404, 409):
        return CallerHungUp()
    return exc
