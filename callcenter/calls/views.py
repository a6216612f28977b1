"""Streaming a recording to the browser's player, with range requests for seeking.

Each request checks the file against its sealed SHA-256 first (cheap while the file
is unchanged, see ``RecordingVerifier``): a missing or altered file is never served.
Every spell of listening is written to the access log before any audio is sent: one
收听录音 entry per user and recording within ``web.recording_log_minutes``, whatever
byte ranges the player asks for, so neither seeking fills a page of the log nor a
player that never asks for byte 0 goes unrecorded. A HEAD request sends no audio and is
not a listening.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from callcenter.access import keys as access_keys
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.calls import keys
from callcenter.calls.integrity import RecordingStatus
from callcenter.calls.keys import StoredRecording
from callcenter.web import keys as web_keys
from callcenter.web import params

routes = web.RouteTableDef()

_CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


@routes.get(r"/recordings/{recording_id:\d+}", name="recording")
@requires(Permission.PLAY_RECORDINGS)
async def recording(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        # Another site's page must not make a logged-in browser fetch (and log) this.
        raise web.HTTPForbidden(text="其他网站的页面不能调取录音。")
    shown = request.match_info["recording_id"]
    recording_id = params.record_id(shown)
    facts = None
    if recording_id is not None:
        facts = await asyncio.to_thread(request.app[keys.RECORDINGS].recording, recording_id)
    if facts is None:
        raise web.HTTPNotFound(text=f"没有编号为 {params.shown(shown)} 的录音。")
    check = await asyncio.to_thread(request.app[keys.VERIFIER].check, facts.path, facts.sha256)
    if check.status is RecordingStatus.MISSING:
        raise web.HTTPNotFound(text=f"{check.status.label}。")
    if not check.status.playable:
        raise web.HTTPConflict(text=f"{check.status.label}，不予播放。")

    if request.method == "GET":
        await _log_listening(request, facts, check.status.label)
    headers = {
        "Content-Type": _CONTENT_TYPES.get(check.path.suffix.lower(), "application/octet-stream"),
        "Cache-Control": "private, no-store",
        "X-Recording-Status": check.status.value,
    }
    if check.sha256 is not None:
        headers["X-Recording-SHA256"] = check.sha256
    return web.FileResponse(check.path, headers=headers)


async def _log_listening(request: web.Request, facts: StoredRecording, status: str) -> None:
    current = request[access_keys.CURRENT]
    assert current is not None  # requires() let the request through
    log = request.app[access_keys.ACCESS_LOG]
    window = timedelta(minutes=request.app[web_keys.SETTINGS].recording_log_minutes)
    await asyncio.to_thread(
        log.record_once,
        "play_recording",
        since=log.now() - window,
        username=current.user.username,
        user_id=current.user.id,
        role=current.user.role,
        attempt_id=facts.attempt_id,
        recording_id=facts.id,
        detail=f"{'全程录音' if facts.kind == 'call' else '回答录音'} {status}",
        remote=request.remote or "",
    )


def setup(app: web.Application) -> None:
    """Add the recordings' route; ``RECORDINGS`` and ``VERIFIER`` must be set by startup."""
    app.router.add_routes(routes)
