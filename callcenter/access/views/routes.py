"""The access feature's part of the web application: the middlewares every request
passes, the login and access-log pages, and what the page frame shows of the user.

The middlewares run in this order: security headers on everything, the shell's error
pages, the database error page, the session, then the CSRF check on every form posted.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import Environment

from callcenter.access import security
from callcenter.access.permissions import ROLE_LABELS, Permission
from callcenter.access.views import auth, log
from callcenter.web.errors import error_pages_middleware

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

MIDDLEWARES = (
    security.headers_middleware,
    error_pages_middleware,
    security.errors_middleware,
    security.session_middleware,
    security.csrf_middleware,
)


def setup(app: web.Application) -> None:
    """Add the login and access-log routes; ``keys.ACCOUNTS`` and ``keys.ACCESS_LOG``
    must be set by startup, and the application built with ``MIDDLEWARES``."""
    for module in (auth, log):
        app.router.add_routes(module.routes)


def setup_templates(env: Environment) -> None:
    """The roles' names and the permissions, for the page frame's menu and user line."""
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["Permission"] = Permission
