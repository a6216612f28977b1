"""The prompts pages: every prompt of every script with who speaks it, the cases' unit
and matter names, and per prompt its recordings (upload or record by phone, listen,
approve or reject). ``keys.SERVICE`` must be set by startup. Who uploaded and who
decided each version, and when, is kept with the version itself.

The upload arrives as a multipart form, allowed ``max_upload_mb`` by ``upload_room``.
A recording call's page reloads itself every few seconds while the call lasts.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.agents.views import keys as agent_keys
from callcenter.calls.config import DialSettings
from callcenter.kernel.errors import AriError, PromptError
from callcenter.prompts import phone
from callcenter.prompts.catalogue import MATTER, UNIT, part_kind
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.recorder import PhoneRecorder, PhoneSession, RecorderPaths
from callcenter.prompts.views import keys
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.config import AriSettings
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.web import keys as web_keys
from callcenter.web.templating import render

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_UPLOAD = re.compile(r"/prompts/[^/]+/[^/]+/upload")
routes = web.RouteTableDef()
_PROMPT = "/prompts/{script_id}/{prompt_id}"


PART_LABELS = {UNIT: "单位名称", MATTER: "事项名称"}
PHONE_STATES = {
    phone.RINGING: "正在呼叫您的话机…",
    phone.LISTENING: "已接通，正在播放录音说明",
    phone.RECORDING: "正在录音（第 {take} 遍）：请朗读上面的文字，读完按 # 键",
    phone.REVIEWING: "正在回放第 {take} 遍：保留请按 1，重新录制请按 2",
    phone.SAVING: "正在保存并转写核对…",
    phone.SAVED_STATE: "已保存为第 {version} 版，待审核",
    phone.ENDED: "通话已结束，未保存录音",
    phone.FAILED: "通话中断，未保存录音",
}


@dataclass(frozen=True)
class PhoneSetup:
    """What recording by phone needs: the Asterisk the calls go through (the pages call
    as ``prompts.phone_app``), the trunk for telephone numbers, where Asterisk records,
    and the prompt cache that renders the call's instructions."""

    ari: AriSettings
    dial: DialSettings
    spool_dir: Path
    cache: Callable[[], PromptCache]


def setup(app: web.Application, phone_setup: PhoneSetup | None = None) -> None:
    """Add the routes; with ``phone_setup``, prompts can be recorded by phone (call after
    the cleanup contexts that set ``keys.SERVICE`` and the agents' roster)."""
    app.router.add_routes(routes)
    if phone_setup is not None:
        app.cleanup_ctx.append(_recorder(phone_setup))


def _recorder(setup: PhoneSetup) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        service = app[keys.SERVICE]
        settings = service.settings
        ari_settings = setup.ari.model_copy(update={"app": settings.phone_app})
        async with AriClient(ari_settings) as ari:
            recorder = PhoneRecorder(
                ari,
                service,
                setup.cache(),
                app.get(agent_keys.ROSTER),
                settings,
                setup.dial,
                RecorderPaths(setup.spool_dir, service.recorded_dir / "takes"),
            )
            app[keys.RECORDER] = recorder
            try:
                yield
            finally:
                await recorder.close()

    return context


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
    parts = await asyncio.to_thread(service.parts)
    context = {
        "rows": rows,
        "parts": parts,
        "part_kind": part_kind,
        "part_labels": PART_LABELS,
        "warns": service.warns,
    }
    return render(request, "prompts.html", context)


@routes.get(_PROMPT, name="prompt")
@requires(Permission.MANAGE_PROMPTS)
async def prompt_page(request: web.Request) -> web.StreamResponse:
    return await _prompt_page(request)


async def _prompt_page(
    request: web.Request, errors: list[str] | None = None, number: str | None = None
) -> web.Response:
    service = request.app[keys.SERVICE]
    script_id, prompt_id = request.match_info["script_id"], request.match_info["prompt_id"]
    try:
        prompt = await asyncio.to_thread(service.prompt, script_id, prompt_id)
    except PromptError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    versions = await asyncio.to_thread(service.versions, prompt)
    recorder = request.app.get(keys.RECORDER)
    call = recorder.current(script_id, prompt_id) if recorder is not None else None
    if number is None:
        number = call.phone if call is not None else ""
        if not number and recorder is not None:
            number = await recorder.default_phone(_user(request))
    context = {
        "prompt": prompt,
        "part": PART_LABELS.get(part_kind(prompt) or ""),
        "versions": versions,
        "warns": service.warns,
        "threshold": service.settings.cer_warning,
        "engine": service.engine_name,
        "errors": errors or [],
        "by_phone": recorder is not None,
        "call": call,
        "call_state": _call_state(call),
        "number": number,
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


@routes.post(_PROMPT + "/phone", name="prompt_phone")
@requires(Permission.MANAGE_PROMPTS)
async def record_by_phone(request: web.Request) -> web.StreamResponse:
    """Ring the supervisor's phone to record the prompt; the page follows the call."""
    recorder = request.app.get(keys.RECORDER)
    form = await request.post()
    number = str(form.get("phone", "")).strip()
    if recorder is None:
        return await _prompt_page(request, ["此服务未连接电话系统，无法用话机录音。"], number)
    if not number:
        return await _prompt_page(request, ["请填写话机号（分机登录名）或电话号码。"], number)
    script_id, prompt_id = request.match_info["script_id"], request.match_info["prompt_id"]
    try:
        await recorder.start(script_id, prompt_id, number, _user(request))
    except (PromptError, AriError, TimeoutError) as exc:
        return await _prompt_page(request, [f"未能呼叫话机：{exc or '电话系统无响应'}"], number)
    raise web.HTTPSeeOther(f"/prompts/{script_id}/{prompt_id}#phone")


def _call_state(call: PhoneSession | None) -> str:
    if call is None:
        return ""
    text = PHONE_STATES.get(call.state, call.state).format(take=call.take, version=call.version)
    return f"{text}（{call.error}）" if call.error else text


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
