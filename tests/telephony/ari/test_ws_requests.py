"""REST requests on the events WebSocket: which Asterisk takes them, which requests stay
on HTTP, and the client's requests, answers and failures on a fake Asterisk 22.10."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from callcenter.kernel.errors import AriError, AriNotFound, AriUnreachable
from callcenter.telephony.ari._ws_requests import answers_rest, over_http
from callcenter.telephony.ari.client import AriClient

from .conftest import FakeAri, make_settings, stop, until


@pytest.mark.parametrize(
    ("version", "takes"),
    [
        ("22.10.1+dfsg+~cs6.17.60671434-1", True),
        ("22.4.0", True),
        ("22.3.0", False),
        ("21.9.0", True),
        ("21.8.2", False),
        ("20.14.0", True),
        ("20.13.9", False),
        ("23.0.0", True),
        ("18.26.1", False),
        ("certified-20.7-cert4", False),
        ("GIT-master-1a2b3c", False),
        ("", False),
    ],
)
def test_which_asterisk_takes_rest_on_the_websocket(version: str, takes: bool) -> None:
    assert answers_rest(version) is takes


@pytest.mark.parametrize(
    ("method", "path", "http"),
    [
        ("GET", "/recordings/stored/call-1/file", True),
        ("POST", "/channels", True),
        ("POST", "/channels/c-1", True),
        ("POST", "/channels/c-1/snoop/s-1", True),
        ("POST", "/channels/c-1/play/p-1", False),
        ("POST", "/channels/c-1/record", False),
        ("DELETE", "/channels/c-1", False),
        ("DELETE", "/playbacks/p-1", False),
        ("GET", "/channels", False),
        ("PUT", "/applications/callcenter/eventFilter", False),
    ],
)
def test_files_and_dialling_stay_on_http(method: str, path: str, http: bool) -> None:
    assert over_http(method, path) is http


@pytest.fixture
async def connected(fake: FakeAri, fake_ari: tuple[FakeAri, str]) -> AsyncIterator[AriClient]:
    """A client of a fake Asterisk 22.10, its events running."""
    fake.version = "22.10.1"
    async with (
        AriClient(make_settings(fake_ari[1]), retry_delay=0.01) as client,
        events_running(client),
    ):
        yield client


@contextlib.asynccontextmanager
async def events_running(client: AriClient) -> AsyncIterator[None]:
    """The client's events WebSocket connected, its events dropped."""
    task = asyncio.create_task(client.run_events(_ignore))
    try:
        await client.wait_connected(2)
        yield
    finally:
        await stop(task)


async def _ignore(event: dict[str, Any]) -> None:
    pass


async def test_requests_go_on_the_websocket_with_query_and_body(
    connected: AriClient, fake: FakeAri
) -> None:
    fake.script("GET", "/ari/channels/c-1", (200, {"id": "c-1", "state": "Up"}))

    assert await connected.get_channel("c-1") == {"id": "c-1", "state": "Up"}
    await connected.play("c-1", ["sound:/srv/p/a b", "sound:/srv/p/c"], "c-1-p1")
    await connected.filter_events(["Dial"])

    get, play, put = fake.requests[-3:]
    assert (get.via, get.method, get.path) == ("websocket", "GET", "/ari/channels/c-1")
    assert (play.via, play.path) == ("websocket", "/ari/channels/c-1/play/c-1-p1")
    # a space and a comma survive the query string as Asterisk decodes it
    assert play.query == {"media": "sound:/srv/p/a b,sound:/srv/p/c"}
    assert (put.via, put.body) == ("websocket", {"disallowed": [{"type": "Dial"}]})


async def test_errors_on_the_websocket_are_the_same_as_on_http(
    connected: AriClient, fake: FakeAri
) -> None:
    fake.script("GET", "/ari/channels/gone", (404, {"message": "Channel not found"}))
    fake.script("POST", "/ari/channels/c-1/record", (409, {"message": "Channel not in Stasis"}))

    with pytest.raises(AriNotFound, match="Channel not found"):
        await connected.get_channel("gone")
    with pytest.raises(AriError, match="HTTP 409: Channel not in Stasis") as raised:
        await connected.record("c-1", "call-1")
    assert raised.value.status == 409
    assert {r.via for r in fake.requests if r.path != "/ari/asterisk/info"} == {"websocket"}


async def test_dialling_stays_on_http(connected: AriClient, fake: FakeAri) -> None:
    fake.script("POST", "/ari/channels", (200, {"id": "c-9"}))

    await connected.originate("PJSIP/100@trunk", channel_id="c-9")

    (dial,) = fake.calls("POST", "/ari/channels")
    assert dial.via == "http"
    assert dial.query["channelId"] == "c-9"


async def test_an_older_asterisk_gets_http(fake: FakeAri, ari: AriClient) -> None:
    fake.version = "22.3.0"
    async with events_running(ari):
        await ari.hangup("c-1")

    (hangup,) = fake.calls("DELETE", "/ari/channels/c-1")
    assert hangup.via == "http"


async def test_the_setting_keeps_rest_on_http(fake: FakeAri, fake_ari: tuple[FakeAri, str]) -> None:
    fake.version = "22.10.1"
    settings = make_settings(fake_ari[1], rest_over_websocket=False)
    async with AriClient(settings) as client, events_running(client):
        await client.hangup("c-1")

    assert fake.calls("DELETE", "/ari/channels/c-1")[0].via == "http"
    assert not fake.calls("GET", "/ari/asterisk/info")  # not even asked


async def test_a_request_unanswered_when_the_socket_drops_fails_as_unreachable(
    connected: AriClient, fake: FakeAri
) -> None:
    fake.answer_on_socket = False
    waiting = asyncio.create_task(connected.hangup("c-1"))
    await until(lambda: bool(fake.calls("DELETE", "/ari/channels/c-1")))

    await fake.drop()

    with pytest.raises(AriUnreachable, match="closed before Asterisk answered"):
        await waiting


async def test_a_request_never_answered_times_out(connected: AriClient, fake: FakeAri) -> None:
    fake.answer_on_socket = False

    with pytest.raises(AriUnreachable, match="no answer in 1 s"):
        await connected.hangup("c-1")


async def test_a_handler_may_wait_for_an_answer_on_the_same_socket(
    fake: FakeAri, fake_ari: tuple[FakeAri, str]
) -> None:
    """The answer comes behind the event being handled: the reader must not wait for
    the handler, or neither would ever go on."""
    fake.version = "22.10.1"
    answered: list[Any] = []
    async with AriClient(make_settings(fake_ari[1])) as client:

        async def handler(event: dict[str, Any]) -> None:
            answered.append(await client.get_channel(event["channel"]["id"]))

        fake.script("GET", "/ari/channels/c-7", (200, {"id": "c-7"}))
        task = asyncio.create_task(client.run_events(handler))
        try:
            await client.wait_connected(2)
            await fake.send({"type": "StasisStart", "channel": {"id": "c-7"}})
            await until(lambda: answered == [{"id": "c-7"}])
        finally:
            await stop(task)
