"""The sandbox as a set of several Asterisk servers: instance 1 is the shared sandbox,
instances 2… run beside it from the same chroot (``callcenter sandbox up --servers N``)."""

from __future__ import annotations

from pathlib import Path

from callcenter.telephony.config import ServerSettings
from callcenter.telephony.sandbox.process import Sandbox, SandboxConfig, SandboxStatus


def server_name(instance: int) -> str:
    return f"sandbox{instance}"


def sandbox_servers(
    settings: SandboxConfig, count: int, max_concurrent: int = 10
) -> list[ServerSettings]:
    """``cluster.servers`` for sandbox instances 1…count (one trunk provider: the
    simulated applicants answer every instance's trunk)."""
    out = []
    for n in range(1, count + 1):
        sandbox = Sandbox(settings, n)
        out.append(
            ServerSettings(
                name=server_name(n),
                ari=sandbox.ari,
                max_concurrent=max_concurrent,
                recordings=sandbox.host(f"{sandbox.state}/spool/recording"),
            )
        )
    return out


def extra_up(settings: SandboxConfig, count: int, sounds: dict[str, Path]) -> list[SandboxStatus]:
    """Start instances 2…count (instance 1 is started on its own, unchanged)."""
    return [Sandbox(settings, n).up(sounds=sounds) for n in range(2, count + 1)]
