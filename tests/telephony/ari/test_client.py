"""REST side of AriClient against the fake ARI server."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from callcenter.kernel.errors import AriError, AriNotFound, AriUnreachable
from callcenter.telephony.ari.client import AriClient

from .conftest import PASSWORD, FakeAri, free_port, make_settings, stop


async def _ignore(event: dict[str, object]) -> None:
    pass


async def test_get_decodes_json_and_authenticates(ari: AriClient, fake: FakeAri) -> None:
    fake.script("GET", "/ari/asterisk/info", (200, {"system": {"version": "22.10.1"}}))

    info = await ari.asterisk_info()

    assert info == {"system": {"version": "22.10.1"}}
    assert fake.requests[0].authorized


async def test_404_raises_not_found_without_retry(ari: AriClient, fake: FakeAri) -> None:
    fake.script("GET", "/ari/channels/gone", (404, {"message": "Channel not found"}))

    with pytest.raises(AriNotFound) as caught:
        await ari.get_channel("gone")

    assert caught.value.status == 404
    assert "Channel not found" in str(caught.value)
    assert len(fake.calls("GET", "/ari/channels/gone")) == 1


async def test_500_raises_ari_error_with_asterisk_message(ari: AriClient, fake: FakeAri) -> None:
    fake.script("POST", "/ari/channels/c1/answer", (500, {"message": "Allocation failed"}))

    with pytest.raises(AriError) as caught:
        await ari.answer("c1")

    assert not isinstance(caught.value, AriNotFound | AriUnreachable)
    assert caught.value.status == 500
    assert "Allocation failed" in str(caught.value)
    assert len(fake.calls("POST", "/ari/channels/c1/answer")) == 1  # POSTs are never retried


async def test_plain_text_error_body_is_kept(ari: AriClient, fake: FakeAri) -> None:
    fake.script("POST", "/ari/channels/c1/record", (422, "Unknown format"))

    with pytest.raises(AriError, match="HTTP 422: Unknown format"):
        await ari.record("c1", "r1", format="nope")


async def test_unreachable_port_names_url_and_hides_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    settings = make_settings(f"http://127.0.0.1:{port}")
    caplog.set_level(logging.DEBUG)

    async with AriClient(settings, retry_delay=0.01) as ari:
        with pytest.raises(AriUnreachable, match=f"127.0.0.1:{port}"):
            await ari.hangup("c1")
        with pytest.raises(AriUnreachable):
            await ari.channels()

    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2  # three tries in all
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(ari)


async def test_request_timeout_raises_unreachable(fake_ari: tuple[FakeAri, str]) -> None:
    async with AriClient(make_settings(fake_ari[1], request_timeout=0.2)) as ari:
        with pytest.raises(AriUnreachable, match="/ari/slow"):
            await ari.request("POST", "/slow")


async def test_get_is_retried_then_succeeds(
    ari: AriClient, fake: FakeAri, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script("GET", "/ari/channels", (503, {"message": "busy"}), (200, [{"id": "c1"}]))

    assert await ari.channels() == [{"id": "c1"}]
    assert len(fake.calls("GET", "/ari/channels")) == 2
    assert "attempt 1/3" in caplog.text


async def test_get_retry_is_bounded(ari: AriClient, fake: FakeAri) -> None:
    fake.script("GET", "/ari/asterisk/variable", (500, {"message": "boom"}))

    with pytest.raises(AriError, match="boom"):
        await ari.get_global_var("X")

    assert len(fake.calls("GET", "/ari/asterisk/variable")) == 3


async def test_ping_is_not_retried(ari: AriClient, fake: FakeAri) -> None:
    fake.script("GET", "/ari/asterisk/ping", (503, {"message": "down"}))

    with pytest.raises(AriError):
        await ari.ping()

    assert len(fake.calls("GET", "/ari/asterisk/ping")) == 1


async def test_originate_sends_query_and_variables(ari: AriClient, fake: FakeAri) -> None:
    fake.script("POST", "/ari/channels", (200, {"id": "call-1", "state": "Down"}))
    events = asyncio.create_task(ari.run_events(_ignore))
    await ari.wait_connected(2)

    channel = await ari.originate(
        "PJSIP/13800000000@trunk",
        channel_id="call-1",
        app_args="case-7",
        timeout=25,
        caller_id="03985831315",
        variables={"CASE_ID": "7"},
    )
    await stop(events)

    assert channel["id"] == "call-1"
    [sent] = fake.calls("POST", "/ari/channels")
    assert sent.query == {
        "endpoint": "PJSIP/13800000000@trunk",
        "app": "callcenter",
        "appArgs": "case-7",
        "channelId": "call-1",
        "timeout": "25",
        "callerId": "03985831315",
    }
    assert sent.body == {"variables": {"CASE_ID": "7"}}


async def test_originate_refused_while_events_down(ari: AriClient, fake: FakeAri) -> None:
    with pytest.raises(AriUnreachable, match="events WebSocket is not connected"):
        await ari.originate("PJSIP/100@trunk", channel_id="call-1")

    assert fake.calls("POST", "/ari/channels") == []


async def test_helpers_build_paths_and_query(ari: AriClient, fake: FakeAri) -> None:
    fake.script("DELETE", "/ari/playbacks/pb-gone", (404, {"message": "Playback not found"}))
    fake.script("POST", "/ari/recordings/live/r-gone/stop", (404, {"message": "not found"}))
    fake.script("GET", "/ari/asterisk/variable", (200, {"value": "42"}))

    await ari.play("c1", ["sound:/p/a", "sound:/p/b"], "pb1")
    await ari.stop_playback("pb-gone")
    await ari.record("c1", "r1", max_duration_seconds=60, max_silence_seconds=4)
    await ari.record("c1", "r2", beep=False, terminate_on="none")
    await ari.stop_recording("r-gone")
    await ari.snoop("c1", "snoop-1")
    await ari.hangup("c1", reason="busy")
    await ari.set_global_var("CALLS", "3")
    assert await ari.get_global_var("CALLS") == "42"
    await ari.get_channel("odd/id?x")

    query = {r.path: r.query for r in fake.requests}
    assert query["/ari/channels/c1/play/pb1"] == {"media": "sound:/p/a,sound:/p/b"}
    records = [r.query for r in fake.calls("POST", "/ari/channels/c1/record")]
    assert records[0] == {
        "name": "r1",
        "format": "wav",
        "maxDurationSeconds": "60",
        "maxSilenceSeconds": "4",
        "beep": "true",
        "terminateOn": "#",
        "ifExists": "overwrite",
    }
    assert records[1]["beep"] == "false"
    assert query["/ari/channels/c1/snoop/snoop-1"] == {
        "spy": "both",
        "whisper": "none",
        "app": "callcenter",
    }
    assert fake.calls("DELETE", "/ari/channels/c1")[0].query == {"reason": "busy"}
    assert fake.calls("POST", "/ari/asterisk/variable")[0].query == {
        "variable": "CALLS",
        "value": "3",
    }
    assert fake.requests[-1].raw_path == "/ari/channels/odd%2Fid%3Fx"


async def test_external_session_is_left_open(fake_ari: tuple[FakeAri, str]) -> None:
    async with aiohttp.ClientSession() as session:
        async with AriClient(make_settings(fake_ari[1]), session) as ari:
            await ari.asterisk_info()
        assert not session.closed


async def test_client_without_session_says_how_to_use_it(fake_ari: tuple[FakeAri, str]) -> None:
    with pytest.raises(RuntimeError, match="async with"):
        await AriClient(make_settings(fake_ari[1])).asterisk_info()


async def test_wait_connected_times_out(ari: AriClient) -> None:
    with pytest.raises(AriUnreachable, match="not connected after"):
        await ari.wait_connected(0.05)


async def test_a_request_on_a_connection_asterisk_had_closed_is_sent_once_more(
    fake_ari: tuple[FakeAri, str],
) -> None:
    # Asterisk closes idle kept-alive connections; a request that finds its pooled
    # connection closing was never sent, so even a POST goes again, once
    fake, url = fake_ari
    fake.script("POST", "/ari/channels/c1/answer", (204, None), (204, None))
    async with aiohttp.ClientSession() as session:
        real = session.request
        resets = 0

        def request(*args: object, **kwargs: object) -> object:
            nonlocal resets
            if resets < 1:
                resets += 1
                raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")
            return real(*args, **kwargs)  # type: ignore[arg-type]

        session.request = request  # type: ignore[method-assign]
        async with AriClient(make_settings(url), session=session) as ari:
            await ari.answer("c1")
            assert len(fake.calls("POST", "/ari/channels/c1/answer")) == 1
            # a second reset in a row is not hidden
            resets = -1
            with pytest.raises(AriUnreachable, match="closing transport"):
                await ari.answer("c1")
    assert len(fake.calls("POST", "/ari/channels/c1/answer")) == 1
