"""The report pages, plugged into the web application: the 考核, the monthly 通报 and
the grades, each printable and as PDF and XLSX, and the lists behind every count.
``keys.SERVICE``, ``keys.DRILL`` and ``keys.SETTINGS`` must be set by startup."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.reports.views import drill, pages

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def setup(app: web.Application) -> None:
    for module in (pages, drill):
        app.router.add_routes(module.routes)
