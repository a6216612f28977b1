"""Jinja2 pages, escaped by default, with the filters the templates use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from callcenter.access.permissions import ROLE_LABELS, Permission, allowed
from callcenter.ledger.taizhang import LEDGER_TZ
from callcenter.web import keys

STATIC_DIR = Path(__file__).resolve().parent / "static"


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("callcenter.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["beijing"] = beijing
    env.filters["seconds"] = seconds
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["Permission"] = Permission
    return env


def beijing(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A time as the 台账 shows it: Beijing time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LEDGER_TZ).strftime(fmt)
    return value.strftime("%Y-%m-%d")


def seconds(value: float | None) -> str:
    """A duration as m:ss."""
    if value is None:
        return "—"
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}"


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    current = request.get(keys.CURRENT)
    csrf = current.csrf_token if current is not None else request.get(keys.NEW_CSRF_COOKIE)
    if csrf is None:
        csrf = request.cookies.get(keys.CSRF_COOKIE, "")

    def can(permission: Permission) -> bool:
        return current is not None and allowed(current.user.role, permission)

    page = request.app[keys.TEMPLATES].get_template(template)
    body = page.render(
        current=current,
        csrf_token=csrf,
        can=can,
        path=request.path,
        **(context or {}),
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
