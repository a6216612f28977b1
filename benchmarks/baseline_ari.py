"""A minimal ARI client placing the same call as the controller: the baseline.

Per call: originate, record the whole call on a snoop channel, then for each key the
simulated applicant presses play a prompt, stop it at the key (barge-in), and play
the next; after the last key the closing prompt, until the applicant hangs up. No
ledger, no TTS (the prompt files exist), no routing beyond a dict of queues, no logging.
What it costs Asterisk and this process is what any controller must at least cost.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class BaselineResult:
    completed: bool
    keys: int = 0
    latencies: list[float] = field(default_factory=list)  # key → next prompt started, s


class BaselineClient:
    def __init__(self, url: str, username: str, password: str, app: str) -> None:
        self.base = url.rstrip("/") + "/ari"
        self.ws_url = self.base.replace("http", "ws", 1) + "/events"
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}
        self.app = app
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.session: aiohttp.ClientSession | None = None
        self._events: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def __aenter__(self) -> BaselineClient:
        self.session = aiohttp.ClientSession(headers=self.headers)
        self._events = asyncio.create_task(self._pump())
        await asyncio.wait_for(self._connected.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._events is not None and self.session is not None
        self._events.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._events
        await self.session.close()

    async def _pump(self) -> None:
        assert self.session is not None
        async with self.session.ws_connect(self.ws_url, params={"app": self.app}) as ws:
            self._connected.set()
            async for message in ws:
                event = json.loads(message.data)
                ids = [event.get("channel", {}).get("id")]
                target = event.get("playback", event.get("recording", {})).get("target_uri", "")
                ids.append(target.partition(":")[2])
                for i in ids:
                    queue = self.queues.get(i) if i else None
                    if queue is not None:
                        queue.put_nowait(event)
                        break

    async def _rest(self, method: str, path: str, **params: Any) -> int:
        assert self.session is not None
        query = {
            k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in params.items()
        }
        for attempt in range(3):
            try:
                async with self.session.request(method, self.base + path, params=query) as r:
                    await r.read()
                    return r.status
            except aiohttp.ServerDisconnectedError:
                # Asterisk closed a kept-alive connection as it was reused: not sent
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def call(
        self, endpoint: str, media: list[list[str]], ring_timeout: int = 20
    ) -> BaselineResult:
        """One call; ``media[i]`` is played before the i-th key, the last after the last."""
        channel = f"base-{uuid.uuid4().hex}"
        snoop = f"{channel}-snoop"
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.queues[channel] = self.queues[snoop] = queue
        result = BaselineResult(completed=False)
        try:
            status = await self._rest(
                "POST", "/channels", endpoint=endpoint, app=self.app, channelId=channel,
                timeout=ring_timeout,
            )  # fmt: skip
            if status >= 300:
                return result
            async with asyncio.timeout(ring_timeout + 120):
                await self._talk(channel, snoop, queue, media, result)
        except (TimeoutError, aiohttp.ClientError):
            with contextlib.suppress(aiohttp.ClientError):
                await self._rest("DELETE", f"/channels/{channel}")
        finally:
            self.queues.pop(channel, None)
            self.queues.pop(snoop, None)
        return result

    async def _talk(
        self,
        channel: str,
        snoop: str,
        queue: asyncio.Queue[dict[str, Any]],
        media: list[list[str]],
        result: BaselineResult,
    ) -> None:
        while True:
            event = await queue.get()
            if event["type"] == "StasisStart" and event["channel"]["id"] == channel:
                break
            if event["type"] == "ChannelDestroyed":
                return
        await self._rest("POST", f"/channels/{channel}/snoop/{snoop}", spy="both", app=self.app)
        recording = f"{channel}-call"
        recording_started = False
        key_at: float | None = None
        hung_up = False
        for step, uris in enumerate(media):
            if not recording_started:
                recording_started = await self._record(snoop, recording) < 300
            playback = uuid.uuid4().hex
            await self._rest("POST", f"/channels/{channel}/play/{playback}", media=",".join(uris))
            last = step == len(media) - 1
            while True:
                event = await queue.get()
                kind = event["type"]
                if kind == "PlaybackStarted" and event["playback"]["id"] == playback:
                    if key_at is not None:
                        result.latencies.append(time.monotonic() - key_at)
                        key_at = None
                elif kind == "ChannelDtmfReceived" and not last:
                    key_at = time.monotonic()
                    result.keys += 1
                    await self._rest("DELETE", f"/playbacks/{playback}")
                    break
                elif kind == "PlaybackFinished" and event["playback"]["id"] == playback:
                    if last:
                        continue  # the closing: the applicant hangs up
                elif (
                    kind in ("ChannelHangupRequest", "StasisEnd", "ChannelDestroyed")
                    and event.get("channel", {}).get("id") == channel
                ):
                    hung_up = True
                    break
            if hung_up:
                break
        result.completed = result.keys == len(media) - 1 and hung_up
        with contextlib.suppress(aiohttp.ClientError):
            await self._rest("POST", f"/recordings/live/{recording}/stop")
            await self._rest("DELETE", f"/channels/{snoop}")

    async def _record(self, snoop: str, name: str) -> int:
        """The snoop channel enters Stasis asynchronously: retry while it is not there."""
        for _ in range(20):
            status = await self._rest(
                "POST", f"/channels/{snoop}/record", name=name, format="wav",
                beep=False, terminateOn="none", ifExists="overwrite",
            )  # fmt: skip
            if status not in (404, 409):
                return status
            await asyncio.sleep(0.05)
        return 409
