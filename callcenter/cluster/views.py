"""The supervisors' page of the set's health (``/system``): what ``callcenter status``
prints, refreshed by the browser every few seconds."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.campaign.runtime import redis_url
from callcenter.cluster.status import collect
from callcenter.kernel.clock import Clock
from callcenter.settings import Settings
from callcenter.web.templating import render

TEMPLATES = Path(__file__).resolve().parent / "templates"
SETTINGS = web.AppKey("cluster_settings", Settings)
SESSIONS = web.AppKey("cluster_sessions", sessionmaker[Session])
CLOCK = web.AppKey("cluster_clock", Clock)
REFRESH_SECONDS = 5

routes = web.RouteTableDef()


@routes.get("/system")
# those who oversee the system's use (supervisors, admins) see how it runs
@requires(Permission.READ_ACCESS_LOG)
async def system_page(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    c = settings.campaign
    redis, broker = Redis.from_url(redis_url(c)), Redis.from_url(c.broker_url)
    try:
        found = await collect(
            settings, request.app[SESSIONS], redis, broker, request.app[CLOCK].now()
        )
    finally:
        await redis.aclose()
        await broker.aclose()
    return render(request, "system.html", {"status": found, "refresh": REFRESH_SECONDS})


def setup(app: web.Application, settings: Settings, clock: Clock) -> None:
    """Add the page; ``SESSIONS`` must be set by startup."""
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app.router.add_routes(routes)
