"""Transcribing recorded answers in this process, at once, without a broker or worker.

For the demo and other one-off runs on a machine that has no Redis or transcription
worker running: the answers of the given calls are marked, transcribed and stored the
same way the worker does it (``claim``, then ``done`` or ``fail``), so the 台账 shows
what was said as soon as this returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from callcenter.kernel.errors import CallcenterError
from callcenter.transcription.engine import Transcriber
from callcenter.transcription.store import TranscriptState, TranscriptStore

log = logging.getLogger(__name__)


def transcribe_now(
    store: TranscriptStore,
    load: Callable[[], Transcriber],
    storage_root: Path,
    answers: Iterable[tuple[str, str]],
) -> list[TranscriptState]:
    """Transcribe each (attempt, question) recording; the engine is loaded on first need.

    One that fails is given up with the reason (its 台账 entry says 转写失败); the rest
    go on. Returns the final state of each.
    """
    transcriber: Transcriber | None = None
    states = []
    for attempt_id, question_id in answers:
        store.queue(attempt_id, question_id)
        job = store.claim(attempt_id, question_id, max_runs=1)
        if job is not None:
            path = job.path if job.path.is_absolute() else storage_root / job.path
            try:
                transcriber = transcriber or load()
                text = transcriber.transcribe(path)
            except CallcenterError as exc:
                log.warning("transcription of %s/%s failed: %s", attempt_id, question_id, exc)
                store.fail(attempt_id, question_id, str(exc))
            else:
                store.done(attempt_id, question_id, text, transcriber.name)
        states.append(store.state(attempt_id, question_id))
    return states
