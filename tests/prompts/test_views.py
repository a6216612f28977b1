"""The upload's size limit: a recording may be large, every other form stays small."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.entrypoints.web import create_app
from callcenter.settings import Settings
from tests.telephony.prompts.helpers import write_tone
from tests.web.fixtures import login

UPLOAD = "/prompts/yima_revisit/satisfied.keys/upload"


@pytest.fixture
async def client(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> AsyncIterator[TestClient]:
    small = web_settings.model_copy(
        update={"prompts": web_settings.prompts.model_copy(update={"max_upload_mb": 1})}
    )
    async with TestClient(TestServer(create_app(small, engine=web_engine))) as c:
        yield c


def _form(token: str, wav: Path) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    audio = io.BytesIO(wav.read_bytes())
    form.add_field("audio", audio, filename=wav.name, content_type="audio/wav")
    return form


async def test_a_recording_larger_than_a_form_is_taken(client: TestClient, tmp_path: Path) -> None:
    token = await login(client, "supervisor")
    wav = write_tone(tmp_path / "take.wav", 4.0, rate=16000, channels=1, dbfs=-20)
    assert 64 * 1024 < wav.stat().st_size < 1024 * 1024
    response = await client.post(UPLOAD, data=_form(token, wav), allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/prompts/yima_revisit/satisfied.keys#v1"


async def test_an_upload_over_the_limit_is_refused(client: TestClient, tmp_path: Path) -> None:
    token = await login(client, "supervisor")
    wav = write_tone(tmp_path / "long.wav", 20.0, rate=44100, channels=2, dbfs=-20)
    assert wav.stat().st_size > 1024 * 1024
    response = await client.post(UPLOAD, data=_form(token, wav), allow_redirects=False)
    assert response.status == 413


async def test_other_forms_keep_the_small_limit(client: TestClient) -> None:
    token = await login(client, "supervisor")
    response = await client.post(
        "/prompts/recordings/1/approve", data={"csrf_token": token, "x": "y" * 100_000}
    )
    assert response.status == 413


PHONE = "/prompts/yima_revisit/satisfied.keys/phone"


async def test_asking_for_a_call_without_a_phone_says_what_is_missing(client: TestClient) -> None:
    token = await login(client, "supervisor")
    response = await client.post(PHONE, data={"csrf_token": token, "phone": " "})
    assert response.status == 400
    assert "请填写话机号（分机登录名）或电话号码。" in await response.text()


async def test_a_phone_that_is_neither_a_number_nor_an_endpoint_is_refused(
    client: TestClient,
) -> None:
    token = await login(client, "supervisor")
    response = await client.post(PHONE, data={"csrf_token": token, "phone": "9; rm -rf"})
    assert response.status == 400
    page = await response.text()
    assert "未能呼叫话机" in page and "neither a telephone number" in page
    assert 'value="9; rm -rf"' in page  # kept in the form to be corrected


async def test_per_call_prompts_are_not_recorded_by_phone(client: TestClient) -> None:
    token = await login(client, "supervisor")
    response = await client.post(
        "/prompts/yima_revisit/greeting/phone", data={"csrf_token": token, "phone": "13900000000"}
    )
    assert response.status == 400
    assert "only fixed prompts are recorded" in await response.text()
    page = await (await client.get("/prompts/yima_revisit/greeting")).text()
    assert 'id="phone"' not in page


async def test_an_agent_may_not_ask_for_a_recording_call(client: TestClient) -> None:
    token = await login(client, "agent")
    response = await client.post(PHONE, data={"csrf_token": token, "phone": "13900000000"})
    assert response.status == 403
