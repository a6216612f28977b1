"""Recording prompts by phone: Asterisk rings the supervisor, who reads the text on screen.

The call is asked for on a prompt's page and runs in the web process, under an ARI
application of its own (``prompts.phone_app``), like the other calls a person asks for
from a page (listen-in, click-to-dial): nothing is queued, and the page shows how the
call goes while it lasts. The phone is a SIP endpoint registered with Asterisk (an
agent's or supervisor's phone, by its login) or a telephone number, dialled through the
trunk like an applicant. Instructions are rendered by the prompt engine before the
phone rings; the takes are recorded by Asterisk and played back from the storage it
shares with us; the kept one becomes a version like an upload (``record_take``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.calls.config import DialSettings
from callcenter.calls.line import AriLine
from callcenter.interview.port import Recording
from callcenter.kernel.errors import AriError, AriNotFound, PromptError
from callcenter.prompts import phone as flow
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.service import PromptService
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter, wait_answered
from callcenter.telephony.prompts.cache import PromptCache, media_uri

log = logging.getLogger(__name__)

Event = dict[str, Any]
NUMBER = re.compile(r"^\d{3,20}$")
ENDPOINT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# ended calls stay on their prompt's page this long, so the supervisor sees how it went
SHOWN_SECONDS = 600.0
_KEPT_SESSIONS = 50
# a call nobody ends (a phone left off the hook between takes) is hung up after this
_LONGEST_CALL_S = 30 * 60


@dataclass
class PhoneSession:
    id: str  # also the channel id of the call
    script_id: str
    prompt_id: str
    phone: str
    by: str
    started: float = field(default_factory=time.monotonic)
    state: str = flow.RINGING
    take: int = 0
    version: int | None = None
    error: str = ""
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def live(self) -> bool:
        return not self.ended.is_set()


@dataclass(frozen=True)
class RecorderPaths:
    spool_dir: Path  # where Asterisk writes recordings, as this process sees it
    takes_dir: Path  # where takes wait to be kept; Asterisk must be able to read it


class PhoneRecorder:
    def __init__(
        self,
        ari: AriClient,
        service: PromptService,
        cache: PromptCache,
        roster: AgentRoster | None,
        settings: PromptSettings,
        dial: DialSettings,
        paths: RecorderPaths,
    ) -> None:
        self.ari = ari
        self.service = service
        self.cache = cache
        self.roster = roster
        self.settings = settings
        self.dial = dial
        self.paths = paths
        self.router = EventRouter()
        self.sessions: dict[str, PhoneSession] = {}
        self._events: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def ensure_connected(self, timeout: float = 5) -> None:
        """Open the application's events WebSocket on first use."""
        if self._events is None:
            self._events = asyncio.create_task(
                self.ari.run_events(self.router.dispatch), name="prompt-phone-events"
            )
        await self.ari.wait_connected(timeout)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._events is not None:
            self._events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._events

    async def default_phone(self, user: str) -> str:
        """The user's own agent phone, if they have one; else nothing to suggest."""
        if self.roster is None:
            return ""
        agent = await asyncio.to_thread(self.roster.find, user)
        return agent.login if agent is not None and agent.enabled else ""

    def current(self, script_id: str, prompt_id: str) -> PhoneSession | None:
        """The latest call for this prompt, while it lasts and a while after."""
        now = time.monotonic()
        for s in sorted(self.sessions.values(), key=lambda s: s.started, reverse=True):
            if (s.script_id, s.prompt_id) == (script_id, prompt_id):
                return s if s.live or now - s.started < SHOWN_SECONDS else None
        return None

    async def start(self, script_id: str, prompt_id: str, number: str, by: str) -> PhoneSession:
        """Ring ``number`` (a SIP endpoint or a telephone number) to record the prompt."""
        prompt = await asyncio.to_thread(self.service.prompt, script_id, prompt_id)
        if prompt.text is None:
            raise PromptError(
                f"{script_id}/{prompt_id} is said with each case's own details; "
                "only fixed prompts are recorded"
            )
        if any(s.live and s.by == by for s in self.sessions.values()):
            raise PromptError(f"a recording call for {by} is still going on; finish it first")
        endpoint = await self._endpoint(number.strip())
        media = await asyncio.to_thread(self._instructions)
        await self.ensure_connected()
        s = PhoneSession(f"prompt-rec-{uuid.uuid4().hex[:16]}", script_id, prompt_id, number, by)
        queue = self.router.register(s.id)
        try:
            await self.ari.originate(
                endpoint,
                channel_id=s.id,
                app_args="prompt-recording",
                timeout=self.settings.phone_ring_timeout,
                caller_id=f'"语音提示录音" <{self.dial.caller_id}>',
            )
        except AriError as exc:
            self.router.unregister(s.id)
            raise PromptError(f"calling {number} failed: {exc}") from exc
        self._forget_old()
        self.sessions[s.id] = s
        task = asyncio.create_task(self._run(s, queue, media), name=s.id)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("prompt %s/%s: ringing %s to record it (%s)", script_id, prompt_id, number, s.id)
        return s

    async def _endpoint(self, number: str) -> str:
        if NUMBER.match(number):
            return self.dial.endpoint.format(number=number)
        if not ENDPOINT.match(number):
            raise PromptError(
                f"{number!r} is neither a telephone number (digits only) nor the name of a "
                "SIP phone (its login, as in `callcenter agent list`)"
            )
        state = await Presence(self.ari).phone(number)
        if not state.registered:
            raise PromptError(f"the SIP phone {number!r} is not registered with Asterisk")
        if state.channels:
            raise PromptError(f"the SIP phone {number!r} is on a call")
        return f"PJSIP/{number}"

    def _instructions(self) -> dict[str, str]:
        return {t: media_uri(self.cache.render(t)) for t in flow.TEXTS}

    def _forget_old(self) -> None:
        ended = sorted((s for s in self.sessions.values() if not s.live), key=lambda s: s.started)
        for s in ended[: max(0, len(self.sessions) - _KEPT_SESSIONS + 1)]:
            del self.sessions[s.id]

    async def _run(
        self, s: PhoneSession, queue: asyncio.Queue[Event], media: dict[str, str]
    ) -> None:
        takes = self.paths.takes_dir / s.id
        line: _PhoneLine | None = None
        pump: asyncio.Task[None] | None = None
        try:
            if not await wait_answered(queue, s.id, self.settings.phone_ring_timeout + 10):
                s.state, s.error = flow.ENDED, "话机未接听"
                return
            _make_dir(takes)
            line = _PhoneLine(
                self.ari, s.id, queue, media, self.paths.spool_dir, self.paths.takes_dir
            )
            pump = asyncio.create_task(line.pump(), name=f"pump-{s.id}")

            async def keep(take: Recording) -> int:
                version = await asyncio.to_thread(
                    self.service.record_take, s.script_id, s.prompt_id, take.path, s.phone, s.by
                )
                s.version = version.version
                return version.version

            def on_state(state: str, take: int) -> None:
                s.state, s.take = state, take

            options = flow.TakeOptions(
                key_timeout=self.settings.key_timeout,
                max_seconds=self.settings.take_max_seconds,
                max_silence=self.settings.take_max_silence,
                max_takes=self.settings.max_takes,
            )
            async with asyncio.timeout(_LONGEST_CALL_S):
                outcome = await flow.record_by_phone(line, keep, options, on_state)
            log.info("%s: %d takes, kept version %s", s.id, outcome.takes, outcome.kept)
        except (AriError, TimeoutError) as exc:
            log.warning("%s failed: %s", s.id, exc or "timeout")
            s.state, s.error = flow.FAILED, "通话中断"
        finally:
            with contextlib.suppress(AriNotFound, AriError):
                await self.ari.hangup(s.id)
            if pump is not None:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    async with asyncio.timeout(5):
                        await asyncio.shield(pump)
                pump.cancel()
            self.router.unregister(s.id)
            shutil.rmtree(takes, ignore_errors=True)
            if s.state not in (flow.SAVED_STATE, flow.FAILED):
                s.state = flow.ENDED
            s.ended.set()


class _PhoneLine(AriLine):
    """The call's line: the instructions by their rendered files, a take from where
    Asterisk recorded it."""

    def __init__(
        self,
        ari: AriClient,
        channel_id: str,
        events: asyncio.Queue[Event],
        media: dict[str, str],
        spool_dir: Path,
        takes_dir: Path,
    ) -> None:
        super().__init__(ari, channel_id, events, self._media, spool_dir, takes_dir)
        self._known = media

    def _media(self, text: str) -> str:
        known = self._known.get(text)
        return known if known is not None else media_uri(Path(text))

    async def play_take(self, take: Recording, then: list[str]) -> None:
        with contextlib.suppress(PermissionError):
            take.path.chmod(0o644)  # Asterisk plays it back as another user
        await self.play([str(take.path), *then])


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for p in (path.parent, path):
        with contextlib.suppress(PermissionError):
            p.chmod(0o755)  # Asterisk, another user, reads the takes back from here
