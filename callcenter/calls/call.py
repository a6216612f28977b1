"""One outbound follow-up call: dial, wait for an answer, interview, write the ledger.

Ledger writes are synchronous SQLAlchemy and run in a thread so one slow write never
stalls the other calls' audio control.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from callcenter.calls._attempt_writes import Op
from callcenter.calls.answer_batch import AnswerBatch
from callcenter.calls.config import CallConfig
from callcenter.calls.line import RESYNC, AriLine
from callcenter.calls.prompts import media_for, render_cases
from callcenter.calls.recording import SealedFile, WholeCallRecorder, seal
from callcenter.calls.store import Ledger
from callcenter.calls.write_batch import WriteBatch
from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.flow import FlowOptions, Interview, InterviewResult
from callcenter.interview.outcome import Outcome, classify_unanswered
from callcenter.interview.script import Script
from callcenter.interview.takeover import HandoverRequest, HandoverResult
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import AriError, PromptError, ScriptError
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter
from callcenter.telephony.prompts.cache import PromptCache

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class CallResult:
    attempt_id: str
    case_id: int
    outcome: Outcome
    note: str = ""
    cause: int | None = None
    answers: list[Answer] = field(default_factory=list)
    key_latencies: list[float] = field(default_factory=list)  # key press → next prompt, s
    played: list[str] = field(default_factory=list)
    script_id: str = ""


# called after each answer is stored, e.g. to queue a transcription
AnswerHook = Callable[[str, Answer], Awaitable[None]]
# called once a call's ledger row is closed, e.g. to open a 整改 ticket
FinishHook = Callable[["CallResult"], Awaitable[None]]


class Handover(Protocol):
    """Hands a call to a human agent when a takeover rule fires (``callcenter.agents``)."""

    async def start(self) -> None: ...

    async def hand_over(
        self,
        attempt_id: str,
        case: CaseInfo,
        line: AriLine,
        request: HandoverRequest,
        fired: float | None = None,
    ) -> HandoverResult: ...


@dataclass(frozen=True)
class CallDeps:
    """What one call uses, shared by every call of a controller."""

    ari: AriClient
    router: EventRouter
    ledger: Ledger
    script: Script
    prompts: PromptCache
    config: CallConfig
    clock: Clock
    owner: str  # the placing process's ARI app, recorded on each attempt
    handover: Handover | None = None
    answer_hooks: Sequence[AnswerHook] = ()
    finish_hooks: Sequence[FinishHook] = ()
    # other scripts a call may follow instead of ``script`` (re-visits), by id
    scripts: Mapping[str, Script] = field(default_factory=dict)

    def script_for(self, script_id: str | None) -> Script:
        """The script named ``script_id`` (the default one for None)."""
        if script_id is None or script_id == self.script.id:
            return self.script
        try:
            return self.scripts[script_id]
        except KeyError:
            known = ", ".join(sorted({self.script.id, *self.scripts})) or "none"
            raise ScriptError(f"no script {script_id!r} is loaded (loaded: {known})") from None


async def render_prompts(
    deps: CallDeps, case: CaseInfo, script: Script | None = None
) -> dict[str, str]:
    """Render every prompt a call of ``case`` may play (for a call placed by hand; a
    campaign renders when it starts, see ``calls.prompts``). Returns the media URI of
    each spoken text."""
    script = script or deps.script
    await asyncio.to_thread(render_cases, deps.prompts, [(script, case)])
    return await asyncio.to_thread(media_for, deps.prompts, script, case)


class OutboundCall:
    def __init__(
        self,
        deps: CallDeps,
        case: CaseInfo,
        attempt_id: str,
        script: Script | None = None,
        media: Mapping[str, str] | None = None,
        writer: Executor | None = None,
        answers: AnswerBatch | None = None,
        batch: WriteBatch | None = None,
        line_free: Callable[[bool], Awaitable[None]] | None = None,
    ) -> None:
        self.c = deps
        # told once the line is gone (True: Asterisk said it destroyed the channel), before
        # the ledger and hooks have their turn: the call's slot goes back then
        self._line_free = line_free
        # where answers without a recording are stored with other calls' (None: alone)
        self._answers = answers
        # where the answer time, whole-call recording and outcome are written with
        # other calls' (None: each in a transaction of its own)
        self._batch = batch
        # the threads ledger writes run in (None: the loop's default ones)
        self._writer = writer
        self.script = script or deps.script
        self.case = case
        self.attempt_id = attempt_id
        self.media: Mapping[str, str] = media or {}
        # the call's ledger writes to come, in order, and the task writing them
        self._queued: deque[tuple[str, Callable[[], Awaitable[object]]]] = deque()
        self._writes: asyncio.Task[None] | None = None

    async def run(self) -> CallResult:
        """Dial and talk; PromptsNotReady (nothing dialled, nothing written) if the
        call's prompts have not all been rendered."""
        c = self.c
        if not self.media:
            self.media = await asyncio.to_thread(media_for, c.prompts, self.script, self.case)
        await self._write(
            c.ledger.start_attempt,
            self.attempt_id,
            self.case.case_id,
            self.script.id,
            c.clock.now(),
            c.owner,
        )
        queue = c.router.register(self.attempt_id)
        try:
            result = await self._dial_and_talk(queue)
        finally:
            c.router.unregister(self.attempt_id)
        for hook in c.finish_hooks:
            try:
                await hook(result)
            except Exception:  # what follows a call must not undo the call
                log.exception("call %s: a finish hook failed", self.attempt_id)
        return result

    def _media_for(self, text: str) -> str:
        try:
            return self.media[text]
        except KeyError:
            raise PromptError(f"prompt was not rendered before the call: {text!r}") from None

    async def _dial_and_talk(self, queue: asyncio.Queue[dict[str, Any]]) -> CallResult:
        c = self.c
        endpoint = c.config.dial.endpoint.format(number=self.case.phone)
        try:
            await c.ari.originate(
                endpoint,
                channel_id=self.attempt_id,
                app_args="followup",
                timeout=c.config.dial.ring_timeout,
                caller_id=c.config.dial.caller_id,
            )
        except AriError as exc:
            # the 台账 is read by clerks: the technical reason goes to the log
            log.error("call %s: dialling %s failed: %s", self.attempt_id, endpoint, exc)
            return await self._finish(Outcome.FAILED, None, "系统故障，未能拨出")

        answered = await self._wait_for_answer(queue)
        if isinstance(answered, CallResult):
            return answered
        # queued like the answers: the greeting need not wait for the disk
        answered_at = c.clock.now()
        self._queue_write(
            "the answer time",
            lambda: self._op(
                "mark_answered", c.ledger.mark_answered_op(self.attempt_id, answered_at)
            ),
        )
        line = AriLine(
            c.ari,
            self.attempt_id,
            queue,
            self._media_for,
            spool_dir=c.config.spool_dir,
            recordings_dir=_resolved(c.config.recordings_dir),
        )
        if c.handover is not None:
            line.handover = partial(self._hand_over, line)
        pump = asyncio.create_task(line.pump(), name=f"pump-{self.attempt_id}")
        recorder = WholeCallRecorder(
            c.ari, c.router, self.attempt_id, line.spool_dir, line.recordings_dir
        )
        await recorder.start(line.in_stasis(recorder.snoop_id))
        try:
            interview = Interview(
                self.script,
                self.case.prompt_fields(),
                line,
                self._save_answer,
                FlowOptions(
                    key_timeout=c.config.ivr.key_timeout,
                    recording_max_seconds=c.config.ivr.recording_max_seconds,
                    recording_max_silence=c.config.ivr.recording_max_silence,
                ),
            )
            try:
                async with asyncio.timeout(c.config.ivr.max_call_seconds):
                    result = await interview.run()
            except TimeoutError:
                log.error(
                    "call %s: longer than %s s, hanging up",
                    self.attempt_id,
                    c.config.ivr.max_call_seconds,
                )
                result = InterviewResult(
                    Outcome.PARTIAL, list(interview.answers), "超过最长通话时长，系统挂断"
                )
            except Exception:  # one broken call must not take the others down
                # what went wrong is for the log; the 台账 says it in words a clerk reads
                log.exception("call %s: interview failed", self.attempt_id)
                result = InterviewResult(
                    Outcome.PARTIAL,
                    list(interview.answers),
                    f"系统故障，通话中断，已答{interview.answered()}题",
                )
            if not line.hung_up.is_set():
                await line.hangup()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await asyncio.shield(pump)
        finally:
            gone = pump.done()  # it ends on ChannelDestroyed
            pump.cancel()
        await self._free_line(gone)
        await self._flush_writes()
        sealed = await recorder.finish(line.recordings_finished)
        if sealed is not None:
            op = c.ledger.seal_call_op(
                self.attempt_id,
                sealed.path,
                sealed.duration,
                sealed.sha256,
                _resolved(c.config.storage_root),
            )
            await self._op("seal_recording", op)
        finished = await self._finish(result.outcome, line.hangup_cause, result.note)
        finished.answers = result.answers
        finished.key_latencies = line.key_latencies()
        finished.played = line.played
        return finished

    async def _wait_for_answer(self, queue: asyncio.Queue[dict[str, Any]]) -> CallResult | None:
        """Wait for StasisStart (answered); a destroyed channel ends the attempt instead."""
        limit = self.c.config.dial.ring_timeout + 30
        try:
            async with asyncio.timeout(limit):
                while True:
                    event = await queue.get()
                    kind = event.get("type")
                    if kind == "StasisStart":
                        return None
                    if kind == "ChannelDestroyed":
                        cause = event.get("cause")
                        await self._free_line(True)
                        return await self._finish(classify_unanswered(cause), cause)
                    if kind == RESYNC and self.attempt_id not in event["channel_ids"]:
                        return await self._finish(Outcome.FAILED, None, "呼叫中与交换机连接中断")
        except TimeoutError:
            with contextlib.suppress(AriError):
                await self.c.ari.hangup(self.attempt_id)
            return await self._finish(Outcome.FAILED, None, f"{limit} 秒内没有呼叫结果")

    async def _save_answer(self, answer: Answer) -> None:
        """Queue the write and return, so the next question is not held up by the disk."""

        answered_at = self.c.clock.now()

        async def write() -> None:
            if self._answers is not None and answer.recording is None:
                await self._answers.save(self.attempt_id, answer, answered_at)
                for hook in self.c.answer_hooks:
                    await hook(self.attempt_id, answer)
                return
            await self._write(
                self.c.ledger.save_answer,
                self.attempt_id,
                answer,
                _resolved(self.c.config.storage_root),
            )
            if answer.recording is not None:
                sealed = await asyncio.to_thread(seal, answer.recording)
                await self._seal(sealed, answer.question_id)
            for hook in self.c.answer_hooks:
                await hook(self.attempt_id, answer)

        self._queue_write(f"the answer to {answer.question_id}", write)

    def _queue_write(self, what: str, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` after the writes queued before it, without waiting for it: one
        task writes them in turn (a task per write cost more than the write). The call
        waits for all before it closes its row; one that fails is logged, the rest go in."""
        self._queued.append((what, work))
        if self._writes is None or self._writes.done():
            self._writes = asyncio.create_task(self._write_queued(), name=self.attempt_id)

    async def _write_queued(self) -> None:
        while self._queued:
            what, work = self._queued.popleft()
            try:
                await work()
            except Exception:
                log.exception("call %s: %s could not be written", self.attempt_id, what)

    async def _op(self, action: str, op: Op[T]) -> T:
        """A ledger write of the call's (``Ledger.…_op``), batched with other calls'."""
        if self._batch is not None:
            return await self._batch.run(action, op)
        return await self._write(self.c.ledger.run_alone, action, op)

    async def _write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, a ledger write, in the writer threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, partial(fn, *args, **kwargs))

    async def _hand_over(self, line: AriLine, request: HandoverRequest) -> HandoverResult:
        fired = asyncio.get_running_loop().time()
        # the agent's screen reads the answers so far from the ledger: all must be there
        await self._flush_writes()
        assert self.c.handover is not None
        return await self.c.handover.hand_over(self.attempt_id, self.case, line, request, fired)

    async def _flush_writes(self) -> None:
        if self._writes is not None:
            await asyncio.shield(self._writes)  # never raises: failures are logged

    async def _seal(self, sealed: SealedFile, question_id: str | None) -> None:
        await self._write(
            self.c.ledger.seal_recording,
            self.attempt_id,
            sealed.path,
            duration=sealed.duration,
            sha256=sealed.sha256,
            question_id=question_id,
            storage_root=_resolved(self.c.config.storage_root),
        )

    async def _free_line(self, gone: bool = False) -> None:
        if self._line_free is not None:
            free, self._line_free = self._line_free, None
            await free(gone)

    async def _finish(self, outcome: Outcome, cause: int | None, note: str = "") -> CallResult:
        await self._free_line()
        await self._flush_writes()  # the row is closed after everything else is in
        # shielded: a cancelled controller must still close the ledger row it opened
        op = self.c.ledger.finish_op(self.attempt_id, outcome, cause, self.c.clock.now(), note)
        await asyncio.shield(self._op("finish_attempt", op))
        log.info("call %s (case %s): %s %s", self.attempt_id, self.case.case_id, outcome, note)
        return CallResult(
            self.attempt_id, self.case.case_id, outcome, note, cause, script_id=self.script.id
        )


@functools.cache
def _resolved(path: Path) -> Path:
    """``path`` resolved once per process: every call and answer would otherwise walk
    it again with a system call per component."""
    return path.resolve()
