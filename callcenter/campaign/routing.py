"""Which Asterisk server a dial job goes to: pure rules, no Redis and no database.

Each server carries at most its own number of calls, and every server on one carrier
trunk together at most the trunk's limit. A server that is down (its ARI has not
answered lately) gets nothing. Among the servers with room, a job goes to the one
with the largest share of its limit still free, so the calls spread over the set in
proportion to what each server can carry. Ties are drawn at random: by a fixed order
(the first server named), whenever the servers are level the first job of a dispatch
would go to the same server, and whatever comes first in the job order (a unit, a kind
of applicant) would load that one.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

QUEUE_PREFIX = "calls."

_rng = random.Random()


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
    rng: random.Random | None = None,
) -> list[str]:
    """The servers for up to ``count`` jobs, in order; fewer when the set is full.

    ``trunk_limits``: calls at once on each trunk, every server together; a trunk not
    named is limited by its servers alone. ``rng`` draws the ties (a seeded one in tests).
    """
    draw = rng or _rng
    taken = {s.name: 0 for s in servers}
    trunk_busy: Counter[str] = Counter()
    for s in servers:
        trunk_busy[s.trunk] += s.busy
    out: list[str] = []
    while len(out) < count:
        candidates = [
            s
            for s in servers
            if s.free - taken[s.name] > 0
            and trunk_busy[s.trunk] < trunk_limits.get(s.trunk, trunk_busy[s.trunk] + 1)
        ]
        if not candidates:
            break
        best = _freest(
            candidates, lambda s: Fraction(s.free - taken[s.name], max(1, s.limit)), draw
        )
        taken[best.name] += 1
        trunk_busy[best.trunk] += 1
        out.append(best.name)
    return out


def overflow(servers: Sequence[ServerLoad], rng: random.Random | None = None) -> str | None:
    """The up server for a job sent beyond every server's room (it waits there for a
    slot): the one least loaded for its limit; None when every server is down."""
    up = [s for s in servers if s.up]
    if not up:
        return None
    return _freest(up, lambda s: Fraction(s.limit - s.busy, max(1, s.limit)), rng or _rng).name


def _freest(
    servers: Sequence[ServerLoad], share: Callable[[ServerLoad], Fraction], rng: random.Random
) -> ServerLoad:
    top = max(share(s) for s in servers)
    return rng.choice([s for s in servers if share(s) == top])


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
