"""Type aliases shared by the ARI client, the router and their users."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

# An ARI event as decoded from the events WebSocket: {"type": "StasisStart", ...}.
Event: TypeAlias = dict[str, Any]
EventHandler: TypeAlias = Callable[[Event], Awaitable[None]]
ConnectHook: TypeAlias = Callable[[], Awaitable[None]]
