"""Queuing a transcription for each recorded answer, off the call's path.

The controller calls ``on_answer`` (an answer hook) after each answer is stored. Marking the recording
pending and publishing the message happen in a thread in the background, so neither a
slow database nor an unreachable Redis holds up the interview. Whatever could not be
published stays pending in the ledger, and ``callcenter transcription requeue`` sends it
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from callcenter.interview.answers import Answer
from callcenter.transcription.store import TranscriptStore
from callcenter.transcription.tasks import send

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 10.0


class TranscriptionQueue:
    def __init__(self, app: Celery, store: TranscriptStore, queue: str) -> None:
        self.app = app
        self.store = store
        self.queue_name = queue
        self._sending: set[asyncio.Task[None]] = set()

    async def on_answer(self, attempt_id: str, answer: Answer) -> None:
        """An ``AnswerHook``: returns at once, the message goes out in the background."""
        if answer.recording is None:
            return
        task = asyncio.create_task(
            self._queue_in_thread(attempt_id, answer.question_id),
            name=f"transcribe-{attempt_id}-{answer.question_id}",
        )
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def queue(self, attempt_id: str, question_id: str) -> bool:
        """Mark pending and publish; False if the recording already has its text."""
        if not self.store.queue(attempt_id, question_id):
            return False
        send(self.app, self.queue_name, attempt_id, question_id)
        return True

    def requeue_pending(self) -> int:
        """Publish every transcription still pending (after Redis was down, say)."""
        pending = self.store.pending()
        for attempt_id, question_id in pending:
            send(self.app, self.queue_name, attempt_id, question_id)
        return len(pending)

    async def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """Wait (boundedly) for messages still being published."""
        if self._sending:
            await asyncio.wait(list(self._sending), timeout=timeout)

    async def _queue_in_thread(self, attempt_id: str, question_id: str) -> None:
        try:
            await asyncio.to_thread(self.queue, attempt_id, question_id)
        except Exception as exc:  # ledger, Redis or kombu: the call goes on regardless
            log.warning(
                "transcription of %s/%s stays pending, not queued: %s: %s",
                attempt_id,
                question_id,
                type(exc).__name__,
                exc,
            )


@contextlib.asynccontextmanager
async def transcription_queue(
    app: Celery, store: TranscriptStore, queue: str
) -> AsyncIterator[TranscriptionQueue]:
    """A queue whose messages still in flight go out (boundedly) on exit."""
    sending = TranscriptionQueue(app, store, queue)
    try:
        yield sending
    finally:
        await sending.drain()
