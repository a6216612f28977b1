"""The Celery application without tasks: broker, serialisation and worker options.

Features register their tasks on it (``campaign.tasks``, ``transcription.tasks``); the
composition root (``callcenter.bootstrap.make_celery``) does both.

Dial jobs live in the ledger, not in the broker: a message only says "try attempt K of
job J now". Messages are acknowledged on receipt; one lost with a dead worker is sent
again by the dispatcher (``requeue_after_seconds``), and a message delivered twice
does nothing the second time because the job is claimed under its attempt key.
"""

from __future__ import annotations

from typing import Any

from celery import Celery


def make_celery(
    broker_url: str,
    *,
    timezone: str,
    worker_threads: int,
    key_prefix: str = "",
    beat_schedule: dict[str, dict[str, Any]] | None = None,
) -> Celery:
    app = Celery("callcenter", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone=timezone,
        enable_utc=True,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        worker_pool="threads",
        worker_concurrency=worker_threads,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # a dial must not wait behind a long queue of dispatches, nor the reverse
        task_default_priority=5,
        # every key kombu makes, broadcasts included, so sets sharing a Redis stay apart
        broker_transport_options={"global_keyprefix": key_prefix} if key_prefix else {},
        beat_schedule=beat_schedule or {},
    )
    return app
