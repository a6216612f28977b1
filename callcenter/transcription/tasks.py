"""The Celery task that transcribes one recorded answer, and the worker state behind it.

Run by ``callcenter transcription worker``: a prefork pool on its own queue, so the
CPU-bound engine never shares a process with the threads that place calls, and Celery's
time limits can interrupt it. Each worker process loads the engine on its first task
and keeps it. A task is safe to run twice: a recording that has its text is skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_shutdown, worker_shutdown

from callcenter.calls.store import LedgerUnavailable
from callcenter.kernel.database import session_factory
from callcenter.kernel.errors import CallcenterError
from callcenter.transcription.config import TranscriptionSettings
from callcenter.transcription.engine import Transcriber, load_transcriber
from callcenter.transcription.store import TranscriptStore

if TYPE_CHECKING:
    from celery import Celery, Task
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

TRANSCRIBE = "callcenter.transcription.transcribe"
# After the soft limit the task gets this long to record the failure before the
# process is killed (and the message delivered again, counted as a run).
_HARD_LIMIT_GRACE_S = 30


class TranscriptionWorker:
    """One worker process's engine and ledger, made on first use (after the fork).

    ``connect`` opens the ledger's database, migrated; ``storage_root`` is what stored
    recording paths are relative to.
    """

    def __init__(
        self, settings: TranscriptionSettings, storage_root: Path, connect: Callable[[], Engine]
    ) -> None:
        self.settings = settings
        self.storage_root = storage_root
        self._connect = connect
        self._lock = threading.Lock()
        self._transcriber: Transcriber | None = None
        self._engine: Engine | None = None
        self._store: TranscriptStore | None = None

    def transcriber(self) -> Transcriber:
        with self._lock:
            if self._transcriber is None:
                self._transcriber = load_transcriber(self.settings)
            return self._transcriber

    def store(self) -> TranscriptStore:
        with self._lock:
            if self._store is None:
                self._engine = self._connect()
                self._store = TranscriptStore(session_factory(self._engine))
            return self._store

    def recording_path(self, stored: Path) -> Path:
        return stored if stored.is_absolute() else self.storage_root / stored

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._store = self._transcriber = None


def retry_delay(settings: TranscriptionSettings, retries: int) -> float:
    """Seconds before retry number ``retries + 1``: doubling from the configured delay."""
    return settings.retry_delay_seconds * 2**retries


def transcribe_one(
    worker: TranscriptionWorker, task: Task, attempt_id: str, question_id: str
) -> str:
    """Transcribe, retry or give up; returns what happened (done, failed, skipped)."""
    t = worker.settings
    try:
        store = worker.store()
        job = store.claim(attempt_id, question_id, max_runs=t.max_retries + 1)
    except LedgerUnavailable as exc:
        raise task.retry(
            exc=exc, countdown=retry_delay(worker.settings, task.request.retries)
        ) from exc
    if job is None:
        log.info("transcription of %s/%s: nothing to do", attempt_id, question_id)
        return "skipped"
    path = worker.recording_path(job.path)
    started = time.perf_counter()
    try:
        transcriber = worker.transcriber()
        text = transcriber.transcribe(path)
    except SoftTimeLimitExceeded:
        reason = f"took over {t.timeout_seconds:g} s on {path} (run {job.runs})"
    except CallcenterError as exc:
        reason = f"{exc} (run {job.runs})"
    except Exception as exc:  # an engine's own error: still a failed run, not a lost one
        log.exception("transcription engine failed on %s", path)
        reason = f"{type(exc).__name__}: {exc} (run {job.runs})"
    else:
        store.done(attempt_id, question_id, text, transcriber.name)
        log.info(
            "transcribed %s/%s with %s in %.1f s (%d characters)",
            attempt_id,
            question_id,
            transcriber.name,
            time.perf_counter() - started,
            len(text),
        )
        return "done"
    if job.runs <= t.max_retries:
        delay = retry_delay(worker.settings, task.request.retries)
        log.warning(
            "transcription of %s/%s failed, retrying in %.1f s: %s",
            attempt_id,
            question_id,
            delay,
            reason,
        )
        raise task.retry(countdown=delay, max_retries=None)
    store.fail(attempt_id, question_id, reason)
    log.error("transcription of %s/%s given up: %s", attempt_id, question_id, reason)
    return "failed"


def register(app: Celery, worker: TranscriptionWorker) -> None:
    """Add the task to ``app``, run with ``worker``'s per-process state."""
    t = worker.settings
    routes = app.conf.task_routes
    route = {TRANSCRIBE: {"queue": t.queue}}
    app.conf.task_routes = (
        route
        if not routes
        else {**routes, **route}
        if isinstance(routes, dict)
        else (*routes, route)
    )

    @app.task(
        name=TRANSCRIBE,
        bind=True,
        shared=False,  # bound to this app's settings, not to every app in the process
        ignore_result=True,
        # acknowledged after the run: a worker killed mid-run gets the message again
        acks_late=True,
        reject_on_worker_lost=True,
        soft_time_limit=t.timeout_seconds,
        time_limit=t.timeout_seconds + _HARD_LIMIT_GRACE_S,
    )
    def transcribe(self: Task, attempt_id: str, question_id: str) -> str:
        return transcribe_one(worker, self, attempt_id, question_id)


def close_on_shutdown(worker: TranscriptionWorker) -> None:
    """Release the worker's database when its process ends (prefork children exit
    through ``worker_process_shutdown``, a solo pool through ``worker_shutdown``)."""
    for signal in (worker_process_shutdown, worker_shutdown):
        signal.connect(lambda **_: worker.close(), weak=False)


def send(app: Celery, queue: str, attempt_id: str, question_id: str) -> Any:
    return app.send_task(TRANSCRIBE, args=[attempt_id, question_id], queue=queue)
