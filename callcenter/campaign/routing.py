"""Which Asterisk server a dial job goes to: pure rules, no Redis and no database.

Each server carries at most its own number of calls, and every server on one carrier
trunk together at most the trunk's limit. A server that is down (its ARI has not
answered lately) gets nothing. Among the servers with room, a job goes to the one
with the most room left, so the calls spread over the set in proportion to what each
server can carry; ties go to the server named first in the settings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

QUEUE_PREFIX = "calls."


def queue_name(server: str) -> str:
    """The Celery queue the workers driving ``server`` consume."""
    return f"{QUEUE_PREFIX}{server}"


@dataclass(frozen=True)
class ServerLoad:
    """A server as the dispatcher sees it: its limits and the calls it has now."""

    name: str
    trunk: str
    limit: int
    busy: int  # calls placed or queued on it now
    up: bool = True

    @property
    def free(self) -> int:
        return max(0, self.limit - self.busy) if self.up else 0


def route(
    servers: Sequence[ServerLoad],
    trunk_limits: Mapping[str, int],
    count: int,
) -> list[str]:
    """The servers for up to ``count`` jobs, in order; fewer when the set is full.

    ``trunk_limits``: calls at once on each trunk, every server together; a trunk not
    named is limited by its servers alone.
    """
    taken = {s.name: 0 for s in servers}
    trunk_busy: Counter[str] = Counter()
    for s in servers:
        trunk_busy[s.trunk] += s.busy
    out: list[str] = []
    order = {s.name: i for i, s in enumerate(servers)}
    while len(out) < count:
        candidates = [
            s
            for s in servers
            if s.free - taken[s.name] > 0
            and trunk_busy[s.trunk] < trunk_limits.get(s.trunk, trunk_busy[s.trunk] + 1)
        ]
        if not candidates:
            break
        best = max(candidates, key=lambda s: (s.free - taken[s.name], -order[s.name]))
        taken[best.name] += 1
        trunk_busy[best.trunk] += 1
        out.append(best.name)
    return out


def room(servers: Sequence[ServerLoad], trunk_limits: Mapping[str, int]) -> int:
    """How many more calls the set can take now."""
    return len(route(servers, trunk_limits, sum(s.free for s in servers)))


class Route(Protocol):
    """Where the dialler sends dispatched jobs (``callcenter.cluster.parts.ServerRoute`` by
    these rules); without one, every job goes to its ``enqueue``."""

    retry_seconds: float  # a job put back because this server is down is due after this

    async def plan(self) -> list[str]:
        """A server for each job the set can take now (the down ones get none)."""
        ...

    async def send(self, job_id: int, key: str, server: str | None = None) -> None:
        """Send the attempt to ``server`` (None: wherever there is room)."""
        ...

    async def done(self, key: str) -> None:
        """A worker has claimed the attempt (its call now counts by its slots), or found
        it taken: either way it no longer counts as on its way."""
        ...

    def unavailable(self) -> str | None:
        """Why this worker's server cannot place a call now, None if it can."""
        ...
