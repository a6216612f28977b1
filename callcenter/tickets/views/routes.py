"""The ticket pages, plugged into the web application: the list, the 预警 view, a ticket's
page with the form of each step the viewer may take, and the 整改台账 export.
``keys.SERVICE`` must be set by startup."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.tickets.views import lists, ticket
from callcenter.tickets.views._viewer import home_middleware

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def setup(app: web.Application) -> None:
    for module in (lists, ticket):
        app.router.add_routes(module.routes)
    # a liaison has no 台账 to search: the site's home is the unit's tickets
    app.middlewares.append(home_middleware)
