"""Settings of the telephone side: the ARI connection, the carrier trunk, the sandbox.

Nested under ``ari``, ``trunk`` and ``sandbox`` in :class:`callcenter.settings.Settings`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr


class AriSettings(BaseModel):
    url: str = "http://127.0.0.1:8088"
    username: str = "callcenter"
    password: SecretStr = SecretStr("callcenter-sandbox")
    app: str = "callcenter"
    request_timeout: float = 10.0
    reconnect_max_delay: float = 10.0


class TrunkSettings(BaseModel):
    """The carrier trunk in production; the sandbox points it at its simulated applicants."""

    contact: str = "sip:127.0.0.1:5070"
    match: str = "127.0.0.1:5070"
    username: str = ""
    password: SecretStr = SecretStr("")


class SandboxSettings(BaseModel):
    cache_dir: Path = Path("/var/cache/callcenter")
    uid: int = 64101
    debian_suite: str = "sid"
