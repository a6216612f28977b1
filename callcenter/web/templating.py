"""Jinja2 pages, escaped by default, with the filters the templates use.

The shell's own templates (the page frame, the error page) are searched first, then the
folders of the features whose pages the application serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from callcenter.kernel.clock import BEIJING
from callcenter.web import keys

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Adds what a feature's templates need beyond the filters here, e.g. its globals.
EnvironmentHook = Callable[[Environment], None]


def make_environment(
    folders: Iterable[Path] = (), hooks: Iterable[EnvironmentHook] = ()
) -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES_DIR, *folders]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["beijing"] = beijing
    env.filters["seconds"] = seconds
    for hook in hooks:
        hook(env)
    return env


def beijing(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A time as the 台账 shows it: Beijing time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).strftime(fmt)
    return value.strftime("%Y-%m-%d")


def seconds(value: float | None) -> str:
    """A duration as m:ss."""
    if value is None:
        return "—"
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}"


class _Nobody:
    """The viewer of a page rendered before anyone's session was looked at."""

    user = None
    csrf_token = ""

    def can(self, permission: str) -> bool:
        return False


_NOBODY = _Nobody()


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    viewer: keys.Viewer = request.get(keys.VIEWER, _NOBODY)
    page = request.app[keys.TEMPLATES].get_template(template)
    body = page.render(
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        can=viewer.can,
        path=request.path,
        **(context or {}),
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
