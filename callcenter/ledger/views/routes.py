"""The 台账 pages, plugged into the web application: the search, a call's page, and the
export. ``keys.READER`` must be set by startup."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.ledger.views import call, export, search

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def setup(app: web.Application) -> None:
    for module in (search, call, export):
        app.router.add_routes(module.routes)
