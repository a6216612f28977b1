"""Settings of the telephone side: the ARI connection, the carrier trunk, the sandbox,
the Asterisk servers of a set of several.

Nested under ``ari``, ``trunk`` and ``sandbox`` in :class:`callcenter.settings.Settings`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class AriSettings(BaseModel):
    url: str = "http://127.0.0.1:8088"
    username: str = "callcenter"
    password: SecretStr = SecretStr("callcenter-sandbox")
    app: str = "callcenter"
    request_timeout: float = 10.0
    reconnect_max_delay: float = 10.0
    # REST requests on the events WebSocket where Asterisk takes them (20.14, 21.9,
    # 22.4 and later; older ones get HTTP either way)
    rest_over_websocket: bool = True


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


class ServerSettings(BaseModel):
    """One Asterisk server of the set: where its ARI answers, which carrier trunk its
    calls go out on (for the limit shared by every server on that trunk), and how many
    calls it carries at once."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    ari: AriSettings = AriSettings()
    trunk: str = "trunk"
    max_concurrent: int = Field(default=10, ge=1)
    # where this server's Asterisk writes recordings, as the processes driving it see it
    # (unset: the top-level ``asterisk_recordings``)
    recordings: Path | None = None


class ClusterSettings(BaseModel):
    """Several Asterisk servers on one ledger. Nested under ``cluster`` in
    :class:`callcenter.settings.Settings` (``CALLCENTER_CLUSTER__…``).

    With no ``servers`` the set is the single server of ``ari``, named ``main``, limited
    by ``campaign.max_concurrent_per_trunk``: what a one-machine installation had before.
    """

    servers: list[ServerSettings] = Field(default_factory=list)
    # calls up at once on each carrier trunk, every server together (unset: the
    # trunk's servers' limits added up, capped by campaign.max_concurrent_per_trunk for
    # campaign.trunk)
    trunk_limits: dict[str, int] = Field(default_factory=dict)
    # the server this process drives (its worker consumes that server's queue);
    # unset: the first one
    server: str | None = None
    # a server whose ARI stays unreachable this long is out of routing, and its calls
    # in progress are closed as interrupted
    down_after_seconds: float = Field(default=15, gt=0)
