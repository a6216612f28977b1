"""Streaming a recording to the browser's player, with range requests for seeking.

Each request checks the file against its sealed SHA-256 first (cheap while the file
is unchanged, see ``RecordingVerifier``): a missing or altered file is never served.
Opening a recording is written to the access log; the range requests a player makes
while seeking are not, or one listening would fill a page of the log.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.access import security
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.calls import keys
from callcenter.calls.integrity import RecordingStatus

routes = web.RouteTableDef()

_CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


@routes.get(r"/recordings/{recording_id:\d+}", name="recording")
@requires(Permission.PLAY_RECORDINGS)
async def recording(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        # Another site's page must not make a logged-in browser fetch (and log) this.
        raise web.HTTPForbidden(text="cross-site request refused")
    recording_id = int(request.match_info["recording_id"])
    facts = await asyncio.to_thread(request.app[keys.RECORDINGS].recording, recording_id)
    if facts is None:
        raise web.HTTPNotFound(text=f"没有编号为 {recording_id} 的录音")
    check = await asyncio.to_thread(request.app[keys.VERIFIER].check, facts.path, facts.sha256)
    if check.status is RecordingStatus.MISSING:
        raise web.HTTPNotFound(text=check.status.label)
    if not check.status.playable:
        raise web.HTTPConflict(text=f"{check.status.label}，不予播放")

    if _opens(request):
        await security.record(
            request,
            "play_recording",
            attempt_id=facts.attempt_id,
            recording_id=facts.id,
            detail=f"{'全程录音' if facts.kind == 'call' else '回答录音'} {check.status.label}",
        )
    headers = {
        "Content-Type": _CONTENT_TYPES.get(check.path.suffix.lower(), "application/octet-stream"),
        "Cache-Control": "private, no-store",
        "X-Recording-Status": check.status.value,
    }
    if check.sha256 is not None:
        headers["X-Recording-SHA256"] = check.sha256
    return web.FileResponse(check.path, headers=headers)


def _opens(request: web.Request) -> bool:
    """A request for the whole file or its start, as a player makes when it begins."""
    try:
        requested = request.http_range
    except ValueError:
        return True  # FileResponse answers a malformed range; count it as an opening
    return requested.start is None or requested.start == 0


def setup(app: web.Application) -> None:
    """Add the recordings' route; ``RECORDINGS`` and ``VERIFIER`` must be set by startup."""
    app.router.add_routes(routes)
