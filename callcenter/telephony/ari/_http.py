"""Small helpers for talking HTTP to ARI: URLs, query encoding, error bodies."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson
from yarl import URL

from callcenter.kernel.errors import AriError, AriNotFound

# Value types accepted in query parameters; None means "leave the parameter out".
QueryValue = str | int | float | bool | None


def public_url(url: str) -> URL:
    """The URL without any user:password part, safe to put in logs and errors."""
    return URL(url).with_user(None)


def events_url(base: str) -> URL:
    """``ws(s)://host/ari/events`` for an ARI base URL ``http(s)://host``."""
    url = public_url(base)
    scheme = {"http": "ws", "https": "wss"}.get(url.scheme, url.scheme)
    return url.with_scheme(scheme).with_path(url.path.rstrip("/") + "/ari/events")


def path(*segments: str) -> str:
    """Join path segments, quoting each so an id with ``/`` or ``?`` cannot change the route."""
    return "/" + "/".join(quote(s, safe="") for s in segments)


def basic_auth(username: str, password: str) -> str:
    """``Authorization`` header value. Built by hand: aiohttp.BasicAuth is deprecated in
    aiohttp 3.14, and its replacement does not exist in older releases."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def encode_query(params: Mapping[str, QueryValue] | None) -> dict[str, str]:
    """Render query values the way ARI parses them.

    ARI only understands ``true``/``false`` for booleans, whereas ``str(True)`` is ``True``;
    yarl refuses bools outright.
    """
    if not params:
        return {}
    encoded: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        else:
            encoded[key] = str(value)
    return encoded


def decode_body(body: bytes | str) -> Any:
    """JSON when the body is JSON, else the text itself (ARI answers some errors in plain text)."""
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def error_message(body: Any) -> str:
    """Asterisk's own explanation from an error body: ``{"message": "Channel not found"}``."""
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])
    if body is None:
        return "(empty body)"
    return str(body)[:500]


def result(method: str, path: str, status: int, body: bytes | str) -> Any:
    """The decoded body of an answer, or the error it stands for: 404 → ``AriNotFound``,
    any other status from 400 → ``AriError`` with Asterisk's message."""
    decoded = decode_body(body)
    if status < 400:
        return decoded
    message = f"ARI {method} {path} returned HTTP {status}: {error_message(decoded)}"
    if status == 404:
        raise AriNotFound(message, status)
    raise AriError(message, status)
