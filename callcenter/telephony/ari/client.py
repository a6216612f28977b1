"""A thin asyncio client for Asterisk's ARI: REST calls and the events WebSocket.

Every REST call has a timeout; idempotent GETs get a bounded, logged retry. Errors are
mapped to :mod:`callcenter.kernel.errors`: 404 → ``AriNotFound``, other HTTP errors → ``AriError``
(with Asterisk's message and the status), network failures and timeouts → ``AriUnreachable``.

The events loop (:meth:`AriClient.run_events`) reconnects with backoff, because Asterisk
hangs up any call answered into the app while no WebSocket is connected; for the same
reason :meth:`AriClient.originate` refuses to dial while the WebSocket is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Literal, Self

import aiohttp
from yarl import URL

from callcenter.kernel.errors import AriError, AriNotFound, AriUnreachable
from callcenter.telephony.ari import _http, _ws_requests
from callcenter.telephony.ari._events import EventStream
from callcenter.telephony.ari.types import ConnectHook, EventHandler
from callcenter.telephony.config import AriSettings

logger = logging.getLogger(__name__)

Direction = Literal["none", "both", "out", "in"]


class AriClient:
    """REST and events client for one ARI application (``settings.app``).

    Use as ``async with AriClient(settings) as ari``; a session passed in is left open.
    """

    def __init__(
        self,
        settings: AriSettings,
        session: aiohttp.ClientSession | None = None,
        *,
        get_attempts: int = 3,
        retry_delay: float = 0.2,
        heartbeat: float = 10.0,
    ) -> None:
        self._settings = settings
        self._session = session
        self._owns_session = session is None
        self._base = str(_http.public_url(settings.url)).rstrip("/") + "/ari"
        self._headers = {
            "Authorization": _http.basic_auth(
                settings.username, settings.password.get_secret_value()
            )
        }
        self._timeout = aiohttp.ClientTimeout(total=settings.request_timeout)
        self._get_attempts = max(1, get_attempts)
        self._retry_delay = retry_delay
        self._events = EventStream(
            self._session_or_fail,
            _http.events_url(settings.url),
            app=settings.app,
            headers=self._headers,
            heartbeat=heartbeat,
            connect_timeout=settings.request_timeout,
            reconnect_max_delay=settings.reconnect_max_delay,
            takes_requests=self._takes_requests if settings.rest_over_websocket else None,
        )

    def __repr__(self) -> str:
        user = self._settings.username
        return f"AriClient(url={self._base!r}, username={user!r}, app={self.app!r})"

    @property
    def app(self) -> str:
        return self._settings.app

    # --- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _session_or_fail(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("AriClient has no session: use 'async with AriClient(...)'")
        return self._session

    # --- generic REST ----------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, _http.QueryValue] | None = None,
        json: Any = None,
        *,
        retry: bool | None = None,
    ) -> Any:
        """Call ``/ari{path}`` and return the decoded JSON body (None for 204).

        ``retry`` defaults to True for GET only: retrying a POST that timed out could, for
        instance, dial a number twice.
        """
        method = method.upper()
        if retry is None:
            retry = method == "GET"
        attempts = self._get_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._request_once(method, path, params, json)
            except AriNotFound:
                raise
            except AriError as exc:
                transient = isinstance(exc, AriUnreachable) or (exc.status or 0) >= 500
                if not transient or attempt == attempts:
                    raise
                delay = self._retry_delay * 2 ** (attempt - 1)
                logger.warning(
                    "ARI %s %s failed (attempt %d/%d): %s; retrying in %.2f s",
                    method,
                    path,
                    attempt,
                    attempts,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, _http.QueryValue] | None,
        body: Any,
    ) -> Any:
        if not _ws_requests.over_http(method, path):
            query = _http.encode_query(params)
            timeout = self._settings.request_timeout
            sent = await self._events.request(method, path, query, body, timeout)
            if sent is not None:
                return _http.result(method, path, *sent)
        url = URL(self._base + path, encoded=True)
        for fresh in (False, True):
            try:
                async with self._session_or_fail().request(
                    method,
                    url,
                    params=_http.encode_query(params),
                    json=body,
                    headers=self._headers,
                    timeout=self._timeout,
                ) as response:
                    answer = await response.read()
                    status = response.status
                break
            except aiohttp.ClientConnectionResetError as exc:
                # a kept-alive connection Asterisk had closed: the request was not sent,
                # so sending it again on a new connection cannot do anything twice
                if not fresh:
                    continue
                raise AriUnreachable(f"ARI {method} {url} failed: {exc}") from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                reason = str(exc) or type(exc).__name__
                raise AriUnreachable(f"ARI {method} {url} failed: {reason}") from exc
        return _http.result(method, path, status, answer)

    async def _takes_requests(self) -> bool:
        """Whether this Asterisk answers REST requests on the events WebSocket."""
        try:
            info = await self.asterisk_info()
        except AriError as exc:
            logger.warning("ARI: no version from %s (%s); REST stays on HTTP", self._base, exc)
            return False
        version = str((info.get("system") or {}).get("version", ""))
        takes = _ws_requests.answers_rest(version)
        logger.info(
            "ARI: Asterisk %s; REST requests on %s",
            version or "(version unknown)",
            "the events WebSocket" if takes else "HTTP",
        )
        return takes

    # --- typed helpers ---------------------------------------------------------------

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str,
        app_args: str = "",
        timeout: int = 30,
        caller_id: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Dial ``endpoint`` into this app; the channel enters Stasis when answered.

        Register ``channel_id`` with the router before calling: Dial and state events can
        arrive before this returns.
        """
        if not self.connected:
            raise AriUnreachable("events WebSocket is not connected; not originating")
        params: dict[str, _http.QueryValue] = {
            "endpoint": endpoint,
            "app": self.app,
            "appArgs": app_args,
            "channelId": channel_id,
            "timeout": timeout,
            "callerId": caller_id,
        }
        body = {"variables": dict(variables)} if variables else None
        result: dict[str, Any] = await self.request("POST", "/channels", params, body)
        return result

    async def answer(self, channel_id: str) -> None:
        await self.request("POST", _http.path("channels", channel_id, "answer"))

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        """Hang up; raises ``AriNotFound`` if the channel is already gone."""
        await self.request("DELETE", _http.path("channels", channel_id), {"reason": reason})

    async def play(
        self, channel_id: str, media: str | list[str], playback_id: str
    ) -> dict[str, Any]:
        """Play one or more media URIs (``sound:/abs/path/without/ext``) in sequence."""
        uris = media if isinstance(media, str) else ",".join(media)
        result: dict[str, Any] = await self.request(
            "POST", _http.path("channels", channel_id, "play", playback_id), {"media": uris}
        )
        return result

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playback; one that already finished is not an error."""
        with contextlib.suppress(AriNotFound):
            await self.request("DELETE", _http.path("playbacks", playback_id))

    async def record(
        self,
        channel_id: str,
        name: str,
        *,
        format: str = "wav",
        max_duration_seconds: int = 0,
        max_silence_seconds: int = 0,
        beep: bool = True,
        terminate_on: str = "#",
        if_exists: str = "overwrite",
    ) -> dict[str, Any]:
        """Record what the channel hears from its peer (on a snoop channel: both ways)."""
        params: dict[str, _http.QueryValue] = {
            "name": name,
            "format": format,
            "maxDurationSeconds": max_duration_seconds,
            "maxSilenceSeconds": max_silence_seconds,
            "beep": beep,
            "terminateOn": terminate_on,
            "ifExists": if_exists,
        }
        result: dict[str, Any] = await self.request(
            "POST", _http.path("channels", channel_id, "record"), params
        )
        return result

    async def stop_recording(self, name: str) -> None:
        """Stop and keep a live recording; one that already ended is not an error."""
        with contextlib.suppress(AriNotFound):
            await self.request("POST", _http.path("recordings", "live", name, "stop"))

    async def channels(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.request("GET", "/channels")
        return result

    async def get_channel(self, channel_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", _http.path("channels", channel_id))
        return result

    async def get_channel_var(self, channel_id: str, name: str) -> str:
        result = await self.request(
            "GET", _http.path("channels", channel_id, "variable"), {"variable": name}
        )
        return str(result["value"])

    async def set_channel_var(self, channel_id: str, name: str, value: str) -> None:
        await self.request(
            "POST",
            _http.path("channels", channel_id, "variable"),
            {"variable": name, "value": value},
        )

    async def set_global_var(self, name: str, value: str) -> None:
        await self.request("POST", "/asterisk/variable", {"variable": name, "value": value})

    async def get_global_var(self, name: str) -> str:
        result = await self.request("GET", "/asterisk/variable", {"variable": name})
        return str(result["value"])

    async def snoop(
        self,
        channel_id: str,
        snoop_id: str,
        spy: Direction = "both",
        app: str | None = None,
        *,
        whisper: Direction = "none",
        app_args: str | None = None,
    ) -> dict[str, Any]:
        """Create snoop channel ``snoop_id`` on ``channel_id``, placed into ``app``.

        Alias ``snoop_id`` to the call in the router before calling: its StasisStart can
        arrive before this returns.
        """
        params: dict[str, _http.QueryValue] = {
            "spy": spy,
            "whisper": whisper,
            "app": app or self.app,
            "appArgs": app_args,
        }
        result: dict[str, Any] = await self.request(
            "POST", _http.path("channels", channel_id, "snoop", snoop_id), params
        )
        return result

    async def rtp_statistics(self, channel_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "GET", _http.path("channels", channel_id, "rtp_statistics")
        )
        return result

    async def filter_events(self, disallowed: Iterable[str]) -> None:
        """Ask Asterisk (ARI 22+) not to send this application events of these types at all:
        each event costs a WebSocket frame and its decoding, used or not."""
        body = {"disallowed": [{"type": kind} for kind in disallowed]}
        await self.request("PUT", _http.path("applications", self.app, "eventFilter"), json=body)

    async def asterisk_info(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "/asterisk/info")
        return result

    async def ping(self) -> dict[str, Any]:
        """Health check: one try, no retry, so a dead Asterisk is reported promptly."""
        result: dict[str, Any] = await self.request("GET", "/asterisk/ping", retry=False)
        return result

    # --- events WebSocket ------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while the events WebSocket is open and ``on_connect`` has finished."""
        return self._events.connected

    async def wait_connected(self, timeout: float) -> None:
        """Wait until :attr:`connected`; raise ``AriUnreachable`` after ``timeout`` seconds."""
        await self._events.wait_connected(timeout)

    async def run_events(
        self, handler: EventHandler, on_connect: ConnectHook | None = None
    ) -> None:
        """Deliver events to ``handler`` one at a time, in arrival order, until cancelled.

        Reconnects with exponential backoff and jitter on any drop. After each (re)connect
        ``on_connect`` is awaited before further events are handled, so the caller can
        resync state (events during the gap are lost). An exception from ``handler`` is
        logged and the stream goes on: dropping the connection would lose more events.
        """
        await self._events.run(handler, on_connect)
