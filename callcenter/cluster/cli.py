"""``callcenter status``: servers, workers, queues, slots in use and lag, at a glance."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Annotated

import typer
from redis.asyncio import Redis

from callcenter.campaign.runtime import redis_url
from callcenter.cluster.status import ClusterStatus, collect, consumers_of


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The health of the set; exit code 1 when a server is down or a queue has no worker."""
    settings = ctx.obj.settings
    app = ctx.obj.celery()
    try:
        consumers = consumers_of(app)
    finally:
        app.close()
    with ctx.obj.open_sessions() as sessions:
        found = asyncio.run(_collect(ctx, sessions, consumers, settings))
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(found), default=str, ensure_ascii=False))
    else:
        typer.echo(found.describe())
    healthy = all(s.up for s in found.servers) and all(q.consumers for q in found.queues)
    raise typer.Exit(0 if healthy else 1)


async def _collect(ctx, sessions, consumers, settings) -> ClusterStatus:  # type: ignore[no-untyped-def]
    c = settings.campaign
    redis, broker = Redis.from_url(redis_url(c)), Redis.from_url(c.broker_url)
    try:
        return await collect(settings, sessions, redis, broker, ctx.obj.clock.now(), consumers)
    finally:
        await redis.aclose()
        await broker.aclose()
