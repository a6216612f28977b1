"""The prompts pages: every prompt of every script with who speaks it, and per prompt its
recordings (upload, listen, approve or reject). ``keys.SERVICE`` must be set by startup.
Who uploaded and who decided each version, and when, is kept with the version itself.

The upload arrives as a multipart form, allowed ``max_upload_mb`` by ``upload_room``.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.kernel.errors import PromptError
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.views import keys
from callcenter.web import keys as web_keys
from callcenter.web.templating import render

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_UPLOAD = re.compile(r"/prompts/[^/]+/[^/]+/upload")
routes = web.RouteTableDef()
_PROMPT = "/prompts/{script_id}/{prompt_id}"


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)


def upload_room(settings: PromptSettings) -> Middleware:
    """A middleware letting an upload of a recording be ``max_upload_mb`` large; every
    other request keeps the application's small limit. Must come before any middleware
    that reads the body (the CSRF check)."""
    limit = settings.max_upload_mb * 1024 * 1024

    @web.middleware
    async def room(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST" and _UPLOAD.fullmatch(request.path):
            request = request.clone(client_max_size=limit)
        return await handler(request)

    return room


@routes.get("/prompts", name="prompts")
@requires(Permission.MANAGE_PROMPTS)
async def listing(request: web.Request) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    rows = await asyncio.to_thread(service.listing)
    return render(request, "prompts.html", {"rows": rows, "warns": service.warns})


@routes.get(_PROMPT, name="prompt")
@requires(Permission.MANAGE_PROMPTS)
async def prompt_page(request: web.Request) -> web.StreamResponse:
    return await _prompt_page(request)


async def _prompt_page(request: web.Request, errors: list[str] | None = None) -> web.Response:
    service = request.app[keys.SERVICE]
    try:
        prompt = service.prompt(request.match_info["script_id"], request.match_info["prompt_id"])
    except PromptError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    versions = await asyncio.to_thread(service.versions, prompt)
    context = {
        "prompt": prompt,
        "versions": versions,
        "warns": service.warns,
        "threshold": service.settings.cer_warning,
        "engine": service.engine_name,
        "errors": errors or [],
    }
    return render(request, "prompt.html", context, status=400 if errors else 200)


@routes.post(_PROMPT + "/upload", name="prompt_upload")
@requires(Permission.MANAGE_PROMPTS)
async def upload(request: web.Request) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    form = await request.post()
    sent = form.get("audio")
    if isinstance(sent, web.FileField) and not sent.filename:
        sent.file.close()  # the browser sent the form without a file
    if not isinstance(sent, web.FileField) or not sent.filename:
        return await _prompt_page(request, ["请选择要上传的录音文件（WAV 或 MP3）。"])
    script_id, prompt_id = request.match_info["script_id"], request.match_info["prompt_id"]
    with tempfile.TemporaryDirectory(prefix="callcenter-upload-") as tmp:
        path = Path(tmp) / ("upload" + Path(sent.filename).suffix.lower())
        with sent.file:  # aiohttp's spooled copy of the upload
            path.write_bytes(sent.file.read())
        try:
            version = await asyncio.to_thread(
                service.upload, script_id, prompt_id, path, sent.filename, _user(request)
            )
        except PromptError as exc:
            return await _prompt_page(request, [f"录音未能保存：{exc}"])
    raise web.HTTPSeeOther(f"/prompts/{script_id}/{prompt_id}#v{version.version}")


@routes.post("/prompts/recordings/{id:\\d+}/{action:approve|reject}", name="prompt_decide")
@requires(Permission.MANAGE_PROMPTS)
async def decide(request: web.Request) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    recording_id, action = int(request.match_info["id"]), request.match_info["action"]
    decide = service.approve if action == "approve" else service.reject
    try:
        version = await asyncio.to_thread(decide, recording_id, _user(request))
    except PromptError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    raise web.HTTPSeeOther(f"/prompts/{version.script_id}/{version.prompt_id}#v{version.version}")


@routes.get("/prompts/recordings/{id:\\d+}.wav", name="prompt_audio")
@requires(Permission.MANAGE_PROMPTS)
async def audio(request: web.Request) -> web.StreamResponse:
    service = request.app[keys.SERVICE]
    try:
        path = await asyncio.to_thread(service.audio, int(request.match_info["id"]))
    except PromptError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    return web.FileResponse(path, headers={"Content-Type": "audio/wav"})


def _user(request: web.Request) -> str:
    viewer = request[web_keys.VIEWER]
    assert viewer.user is not None  # requires() let only a logged-in user in
    return str(viewer.user.username)
