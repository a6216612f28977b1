"""Typed keys for what the page shell keeps in the application and each request.

Each feature keeps its own keys beside its views; the shell knows only its settings, the
templates, and who is looking at the page.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web
from jinja2 import Environment

from callcenter.web.config import WebSettings


class ViewerUser(Protocol):
    """What the shared templates show of a logged-in user."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


class Viewer(Protocol):
    """Who is looking at a page, as far as the templates need to know.

    Set on each request by whatever checks sessions; a page rendered without one is
    rendered for nobody in particular (no user, no token, no permissions).
    """

    @property
    def user(self) -> ViewerUser | None: ...

    @property
    def csrf_token(self) -> str:
        """The token every form on the page posts back."""
        ...

    def can(self, permission: str) -> bool: ...


SETTINGS = web.AppKey("web_settings", WebSettings)
TEMPLATES = web.AppKey("templates", Environment)
VIEWER: web.RequestKey[Viewer] = web.RequestKey("viewer")
