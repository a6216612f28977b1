"""A real transcription worker process (``callcenter transcription worker``) on the real Redis, for the tests.

Each test run uses a queue of its own, so messages left by another run (or another
test suite on the same Redis) never reach it, and the worker is configured through
the environment exactly as a deployment would configure it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from callcenter.bootstrap import make_celery
from callcenter.settings import PROJECT_ROOT, Settings, load_settings

T = TypeVar("T")

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def env_for(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    return {**env, **settings, "PYTHONPATH": str(PROJECT_ROOT)}


class WorkerProcess:
    def __init__(self, log: Path, **settings: str) -> None:
        self.queue = f"transcription-test-{uuid.uuid4().hex[:8]}"
        self.env = env_for(
            {
                "CALLCENTER_CAMPAIGN__BROKER_URL": REDIS_URL,
                "CALLCENTER_TRANSCRIPTION__QUEUE": self.queue,
                **{f"CALLCENTER_{k.upper()}": v for k, v in settings.items()},
            }
        )
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def settings(self) -> Settings:
        """The worker's settings, as the test process sees them."""
        saved = dict(os.environ)
        try:
            os.environ.clear()
            os.environ.update(self.env)
            return load_settings()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def start(self, timeout: float = 60) -> None:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "callcenter.entrypoints.transcription_worker"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        app = make_celery(self.settings())
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"worker exited {self.proc.returncode}:\n{self.tail()}")
                if f"transcription-{self.proc.pid}@" in str(app.control.ping(timeout=0.5)):
                    return
            raise AssertionError(f"worker did not answer within {timeout} s:\n{self.tail()}")
        finally:
            app.close()

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # warm shutdown: finish the task at hand
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""


def poll(check: Callable[[], T | None], timeout: float, what: str, log: str = "") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s\n{log}")
