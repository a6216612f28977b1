"""The health of the set: each server (up, its limit, its calls), the workers, the
queues, the slots of each trunk and how far dialling lags behind what is due.

Read from where each fact lives: Redis (servers' beats, slots, queues), the ledger
(workers' leases, due and queued jobs), and Celery's control channel (which worker
consumes which queue). ``callcenter status`` prints it; the supervisors' page shows it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from celery import Celery
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.servers import ServerBeacons
from callcenter.calls.tables import ControllerLease
from callcenter.campaign.pacing import slots_key
from callcenter.campaign.routing import queue_name
from callcenter.campaign.tables import Campaign, DialJob
from callcenter.cluster.parts import routed_key, server_slots_key, servers, trunk_limits
from callcenter.kernel.transaction import transaction
from callcenter.settings import Settings

# kombu's Redis transport keeps the messages of each priority in a list of its own
_PRIORITY_SEP = "\x06\x16"
SHARED_QUEUE = "celery"


@dataclass(frozen=True)
class ServerRow:
    name: str
    ari_url: str
    trunk: str
    limit: int
    up: bool
    calls: int  # slots held now
    on_the_way: int  # sent to its queue, not dialled yet
    workers: int  # workers beating for it


@dataclass(frozen=True)
class WorkerRow:
    owner: str  # the process's ARI app
    host: str
    pid: int
    lease_left: float  # seconds; negative: run out
    server: str | None  # None: not beating (its ARI does not answer, or it stopped)


@dataclass(frozen=True)
class QueueRow:
    name: str
    waiting: int
    consumers: list[str] = field(default_factory=list)  # Celery worker names


@dataclass(frozen=True)
class TrunkRow:
    name: str
    limit: int
    calls: int


@dataclass(frozen=True)
class Lag:
    due: int  # jobs of running campaigns due and not yet sent
    oldest_due: float | None  # seconds the oldest of them has waited
    queued: int  # sent to a worker, not taken yet
    oldest_queued: float | None


@dataclass(frozen=True)
class ClusterStatus:
    at: datetime
    servers: list[ServerRow]
    workers: list[WorkerRow]
    queues: list[QueueRow]
    trunks: list[TrunkRow]
    lag: Lag

    def describe(self) -> str:
        lines = ["servers:"]
        for s in self.servers:
            state = "up" if s.up else "DOWN"
            lines.append(
                f"  {s.name:<12} {state:<4} {s.calls}/{s.limit} calls, {s.on_the_way} on the way, "
                f"{s.workers} worker(s), trunk {s.trunk}, ARI {s.ari_url}"
            )
        lines.append("trunks:")
        lines += [f"  {t.name:<12} {t.calls}/{t.limit} calls" for t in self.trunks]
        lines.append("workers:")
        for w in self.workers:
            lease = f"lease {w.lease_left:.0f} s" if w.lease_left > 0 else "LEASE RUN OUT"
            lines.append(f"  {w.owner} on {w.host} pid {w.pid}: {w.server or '-'}, {lease}")
        if not self.workers:
            lines.append("  none")
        lines.append("queues:")
        for q in self.queues:
            who = ", ".join(q.consumers) or "NO CONSUMER"
            lines.append(f"  {q.name:<16} {q.waiting} waiting; {who}")
        lag = self.lag
        lines.append(
            f"lag: {lag.due} due not sent"
            + (f" (oldest {lag.oldest_due:.0f} s)" if lag.oldest_due is not None else "")
            + f", {lag.queued} sent not taken"
            + (f" (oldest {lag.oldest_queued:.0f} s)" if lag.oldest_queued is not None else "")
        )
        return "\n".join(lines)


async def collect(
    settings: Settings,
    sessions: sessionmaker[Session],
    redis: Redis,
    broker: Redis,
    now: datetime,
    consumers: dict[str, list[str]] | None = None,
) -> ClusterStatus:
    """The status now; ``consumers``: Celery worker names by queue (``consumers_of``)."""
    c = settings.campaign
    beacons = ServerBeacons(redis, c.key_prefix, settings.cluster.down_after_seconds)
    beats = await beacons.beats()
    rows = []
    for s in servers(settings):
        calls = await redis.zcount(server_slots_key(c.key_prefix, s.name), f"({_ms(now)}", "+inf")
        routed = await redis.zcount(routed_key(c.key_prefix, s.name), f"({_ms(now)}", "+inf")
        mine = [b for b in beats if b.server == s.name]
        rows.append(
            ServerRow(s.name, s.ari.url, s.trunk, s.limit, bool(mine), calls, routed, len(mine))
        )
    trunks = [
        TrunkRow(
            name,
            limit,
            await redis.zcount(slots_key(c.key_prefix, name), f"({_ms(now)}", "+inf"),
        )
        for name, limit in trunk_limits(settings).items()
    ]
    queues = []
    for name in [SHARED_QUEUE, *(queue_name(s.name) for s in servers(settings))]:
        keys = [c.broker_prefix + name] + [
            f"{c.broker_prefix}{name}{_PRIORITY_SEP}{p}" for p in range(1, 10)
        ]
        waiting = sum([await broker.llen(k) for k in keys])
        queues.append(QueueRow(name, waiting, sorted((consumers or {}).get(name, []))))
    beating = {b.owner: b.server for b in beats}
    workers, lag = await asyncio.to_thread(_from_ledger, sessions, now, beating)
    return ClusterStatus(now, rows, workers, queues, trunks, lag)


def consumers_of(app: Celery, timeout: float = 1.0) -> dict[str, list[str]]:
    """Celery worker names by the queues they consume (those that answer in time)."""
    replies = app.control.inspect(timeout=timeout).active_queues() or {}
    out: dict[str, list[str]] = {}
    for worker, queues in replies.items():
        for q in queues:
            out.setdefault(q["name"], []).append(worker)
    return out


def _from_ledger(
    sessions: sessionmaker[Session], now: datetime, beating: dict[str, str]
) -> tuple[list[WorkerRow], Lag]:
    with transaction(sessions, "cluster.status") as s:
        leases = s.execute(
            select(
                ControllerLease.owner,
                ControllerLease.host,
                ControllerLease.pid,
                ControllerLease.expires_at,
            ).order_by(ControllerLease.owner)
        ).all()
        running = select(Campaign.id).where(Campaign.state == "running")
        due = s.execute(
            select(func.count(), func.min(DialJob.due_at)).where(
                DialJob.state == "pending",
                DialJob.due_at <= now,
                DialJob.campaign_id.in_(running),
            )
        ).one()
        queued = s.execute(
            select(func.count(), func.min(DialJob.queued_at)).where(DialJob.state == "queued")
        ).one()
    workers = [
        WorkerRow(o, h, p, (e - now).total_seconds(), beating.get(o))
        for o, h, p, e in leases
        if (e - now).total_seconds() > -3600  # an hour after: no longer worth listing
    ]
    lag = Lag(due[0], _age(now, due[1]), queued[0], _age(now, queued[1]))
    return workers, lag


def _age(now: datetime, since: datetime | None) -> float | None:
    return None if since is None else max(0.0, (now - since).total_seconds())


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
