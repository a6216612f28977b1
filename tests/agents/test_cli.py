"""``callcenter agent …`` from the command line, with Asterisk out of reach: the ledger
keeps the agent and the operator is told to sync later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from callcenter.agents import credentials
from callcenter.agents.roster import AgentRoster
from callcenter.kernel.database import make_engine, session_factory
from callcenter.settings import PROJECT_ROOT


def cli(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": f"sqlite:///{tmp / 'cli.db'}",
        "CALLCENTER_STORAGE_ROOT": str(tmp / "storage"),
        "CALLCENTER_ARI__URL": "http://127.0.0.1:9",  # nothing listens there
        "CALLCENTER_ARI__REQUEST_TIMEOUT": "2",
    }
    return subprocess.run(
        [sys.executable, "-m", "callcenter", "agent", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


def test_add_list_ready_disable(tmp_path: Path) -> None:
    added = cli(
        tmp_path, "add", "agent3001", "--name", "张三", "--password-stdin", stdin="a-long-pass-1\n"
    )
    assert added.returncode == 0, added.stderr
    assert "agent agent3001 (agent) added" in added.stdout
    assert "SIP password: a-long-pass-1" in added.stdout
    assert "run `callcenter agent sync` once Asterisk answers" in added.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        agent = AgentRoster(session_factory(engine)).get("agent3001")
    finally:
        engine.dispose()
    assert credentials.matches(agent.password_digest, "agent3001", "callcenter", "a-long-pass-1")
    assert agent.password_digest not in added.stdout + added.stderr

    ready = cli(tmp_path, "ready", "agent3001")
    assert (ready.returncode, ready.stdout.strip()) == (0, "agent agent3001: ready")
    listing = cli(tmp_path, "list")
    assert listing.returncode == 0 and "agent3001" in listing.stdout and "张三" in listing.stdout
    disabled = cli(tmp_path, "disable", "agent3001")
    assert disabled.returncode == 0 and "agent agent3001 disabled" in disabled.stdout


def test_errors_name_the_agent_and_the_problem(tmp_path: Path) -> None:
    short = cli(tmp_path, "add", "agent3002", "--password-stdin", stdin="short\n")
    assert short.returncode == 2
    assert (
        "error [agent-error]: the SIP password of agent 'agent3002' is 5 characters" in short.stderr
    )
    unknown = cli(tmp_path, "disable", "nobody")
    assert unknown.returncode == 2 and "no agent 'nobody'" in unknown.stderr
