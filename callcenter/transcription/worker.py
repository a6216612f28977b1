"""The transcription worker process: ``callcenter transcription worker``, or
``python -m callcenter.transcription.worker [CONCURRENCY]`` with settings from the
environment (``CALLCENTER_*``), which loads nothing of the web or CLI stack.
"""

from __future__ import annotations

import os
import socket
import sys

from callcenter.kernel.celery_app import make_celery
from callcenter.kernel.database import make_engine, migrate
from callcenter.settings import Settings, load_settings


def run_worker(settings: Settings, concurrency: int = 1, loglevel: str = "INFO") -> None:
    """Serve the transcription queue until told to stop (SIGTERM: warm shutdown)."""
    if settings.database_url.startswith("sqlite:///"):
        settings.storage_root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)  # before any task touches the tables
    finally:
        engine.dispose()
    celery = make_celery(settings, worker=True)
    # Processes, not the campaign's threads: the engine is CPU-bound and holds the GIL
    # in places, and only a process can be stopped at the time limit. (Set in the
    # configuration: Celery takes --pool=prefork, its default, as "not given".)
    celery.conf.worker_pool = "prefork"
    celery.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={settings.transcription.queue}",
            f"--hostname=transcription-{os.getpid()}@{socket.gethostname()}",
            f"--loglevel={loglevel}",
        ]
    )


if __name__ == "__main__":
    run_worker(load_settings(), int(sys.argv[1]) if len(sys.argv) > 1 else 1)
