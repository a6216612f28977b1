"""Real Celery workers and beat as subprocesses, configured by a TOML settings file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from callcenter.bootstrap import make_celery
from callcenter.settings import PROJECT_ROOT, load_settings


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {toml(v)}' for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(path: Path, top: dict[str, Any], sections: dict[str, dict[str, Any]]) -> Path:
    lines = [f"{k} = {toml(v)}" for k, v in top.items()]
    for name, values in sections.items():
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {toml(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class Cluster:
    """Workers and a beat on one settings file; their output goes to log files."""

    def __init__(self, config: Path, logs: Path) -> None:
        self.config = config
        self.logs = logs
        self.env = {
            **os.environ,
            "CALLCENTER_CONFIG": str(config),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        previous = os.environ.get("CALLCENTER_CONFIG")
        os.environ["CALLCENTER_CONFIG"] = str(config)
        try:
            self.settings = load_settings()
        finally:
            if previous is None:
                del os.environ["CALLCENTER_CONFIG"]
            else:
                os.environ["CALLCENTER_CONFIG"] = previous
        self.app = make_celery(self.settings)

    def _spawn(
        self, name: str, args: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "callcenter.entrypoints.worker", *args],
            cwd=PROJECT_ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs[name] = proc
        return proc

    def worker(
        self, name: str, threads: int, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """A worker; ``env`` adds to the settings file (e.g. which server it drives)."""
        return self._spawn(
            name,
            [
                "worker",
                "--pool=threads",
                f"--concurrency={threads}",
                f"--hostname={name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
        )

    def beat(self) -> subprocess.Popen[bytes]:
        return self._spawn(
            "beat",
            ["beat", f"--schedule={self.logs / 'beat-schedule'}", "--loglevel=INFO"],
        )

    def wait_workers(self, names: set[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited {proc.returncode}:\n{self.log(name)}")
            replies = self.app.control.ping(timeout=1.0)
            up = {host.split("@")[0] for reply in replies for host in reply}
            if names <= up:
                return
        raise AssertionError(f"workers {names} did not answer within {timeout} s")

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.app.close()
