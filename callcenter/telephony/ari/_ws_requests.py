"""REST requests sent on the events WebSocket (ARI since Asterisk 20.14, 21.9 and 22.4).

An HTTP request costs the controller more interpreter time than anything else a call
does with Asterisk (aiohttp builds and parses each in Python), and Asterisk a thread
hand-off; on the WebSocket a request is one small JSON frame each way. Asterisk runs the
requests of one WebSocket one after another, in the order sent, and answers each with a
``RESTResponse`` message among the events, matched here by its ``request_id``.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import orjson

from callcenter.kernel.errors import AriUnreachable
from callcenter.telephony.ari.types import Event

# The first release of each line that answers REST on the WebSocket.
_FIRST = {20: 14, 21: 9, 22: 4}
_VERSION = re.compile(r"(\d+)\.(\d+)")


def answers_rest(version: str) -> bool:
    """Whether an Asterisk of this version (``22.10.1``, ``certified-20.7-cert4``)
    answers REST requests on the events WebSocket; an unknown form is taken as no."""
    found = _VERSION.search(version)
    if found is None:
        return False
    major, minor = int(found[1]), int(found[2])
    if major in _FIRST:
        return minor >= _FIRST[major]
    return major > max(_FIRST)


def over_http(method: str, path: str) -> bool:
    """Requests that stay on HTTP: a file download, which the WebSocket cannot carry,
    and dialling, which waits in Asterisk for the channel driver to make the channel and
    would hold up every request sent after it on the WebSocket."""
    parts = path.strip("/").split("/")
    if parts[-1] == "file":
        return True
    return method == "POST" and parts[0] == "channels" and (len(parts) <= 2 or parts[2] == "snoop")


class WsRequests:
    """The requests sent on one client's WebSocket that Asterisk has not answered yet."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[tuple[int, str]]] = {}
        self._count = itertools.count(1)

    async def send(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Any,
        timeout: float,
    ) -> tuple[int, str]:
        """Send one request; its status and body ("" if none) once Asterisk answers.

        AriUnreachable if the WebSocket closes first or no answer comes in ``timeout``
        seconds: like an HTTP timeout, the request may or may not have been carried out.
        """
        request_id = str(next(self._count))
        uri = path.lstrip("/")
        if query:
            uri += "?" + urlencode(query, quote_via=quote)
        message: dict[str, Any] = {
            "type": "RESTRequest",
            "request_id": request_id,
            "method": method,
            "uri": uri,
        }
        if body is not None:
            message["content_type"] = "application/json"
            message["message_body"] = orjson.dumps(body).decode()
        answer: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = answer
        try:
            await ws.send_str(orjson.dumps(message).decode())
            async with asyncio.timeout(timeout):
                return await answer
        except TimeoutError:
            raise AriUnreachable(
                f"ARI {method} /{uri} on the events WebSocket: no answer in {timeout:g} s"
            ) from None
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise AriUnreachable(f"ARI {method} /{uri} on the events WebSocket: {exc}") from exc
        finally:
            self._pending.pop(request_id, None)

    def answer(self, response: Event) -> None:
        """Hand a ``RESTResponse`` to the request it answers (one given up on is dropped)."""
        waiting = self._pending.get(str(response.get("request_id")))
        if waiting is None or waiting.done():
            return
        body = response.get("message_body") or ""
        waiting.set_result((int(response.get("status_code") or 0), body))

    def fail_all(self, reason: str) -> None:
        """Fail every request still waiting: its WebSocket is gone."""
        for request_id, waiting in list(self._pending.items()):
            if not waiting.done():
                waiting.set_exception(AriUnreachable(f"ARI request {request_id}: {reason}"))
