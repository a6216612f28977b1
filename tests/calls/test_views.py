"""Serving recordings: range requests, roles, the access log, and tampered files."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from callcenter.access.log import AccessLog
from callcenter.kernel.clock import FixedClock
from tests.web.fixtures import login
from tests.web.seed import Seeded, sha256


async def test_whole_file_and_ranges(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "auditor")
    data = seeded.call_wav.read_bytes()
    url = f"/recordings/{seeded.call_recording_id}"
    whole = await client.get(url)
    assert whole.status == 200
    assert whole.headers["Content-Type"] == "audio/wav"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["X-Recording-SHA256"] == sha256(seeded.call_wav)
    assert await whole.read() == data

    part = await client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert await part.read() == data[1000:2000]
    tail = await client.get(url, headers={"Range": "bytes=-100"})
    assert tail.status == 206 and await tail.read() == data[-100:]

    # One entry for opening the recording; seeking within it adds none.
    plays = access_log.entries(action="play_recording").entries
    assert [(p.username, p.recording_id, p.attempt_id) for p in plays] == [
        ("ducha1", seeded.call_recording_id, seeded.complete)
    ]
    assert "全程录音" in plays[0].detail


async def test_anonymous_is_not_served(client: TestClient, seeded: Seeded) -> None:
    response = await client.get(f"/recordings/{seeded.call_recording_id}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/login")
    assert (await response.read())[:4] != b"RIFF"


async def test_agent_is_refused_and_the_attempt_logged(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "agent")
    response = await client.get(f"/recordings/{seeded.call_recording_id}")
    assert response.status == 403
    assert (await response.read())[:4] != b"RIFF"
    denied = access_log.entries(action="denied").entries
    assert [(e.username, e.role) for e in denied] == [("huawu1", "agent")]
    assert f"/recordings/{seeded.call_recording_id}" in denied[0].detail
    assert access_log.entries(action="play_recording").total == 0


async def test_cross_site_fetch_is_refused(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    response = await client.get(
        f"/recordings/{seeded.call_recording_id}", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status == 403


async def test_tampered_file_is_shown_altered_and_not_served(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "auditor")
    assert (await client.get(f"/calls/{seeded.complete}")).status == 200  # digest now cached
    before = seeded.call_wav.stat()
    with seeded.call_wav.open("r+b") as f:
        f.seek(2000)
        byte = f.read(1)
        f.seek(2000)
        f.write(bytes([byte[0] ^ 0x01]))
    os.utime(seeded.call_wav, ns=(before.st_atime_ns, before.st_mtime_ns))

    html = await (await client.get(f"/calls/{seeded.complete}")).text()
    assert "录音文件已被改动" in html
    assert f'src="/recordings/{seeded.call_recording_id}"' not in html
    assert f'src="/recordings/{seeded.reason_recording_id}"' in html  # the others are fine
    response = await client.get(f"/recordings/{seeded.call_recording_id}")
    assert response.status == 409
    assert "录音文件已被改动" in await response.text()
    assert access_log.entries(action="play_recording").total == 0


async def test_missing_file_is_shown_missing(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    seeded.reason_wav.unlink()
    html = await (await client.get(f"/calls/{seeded.complete}")).text()
    assert "录音文件缺失" in html
    assert f'src="/recordings/{seeded.reason_recording_id}"' not in html
    response = await client.get(f"/recordings/{seeded.reason_recording_id}")
    assert response.status == 404
    assert "录音文件缺失" in await response.text()


async def test_unknown_recording(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    assert (await client.get("/recordings/999999")).status == 404


async def test_every_range_form_is_logged_once(
    clocked_client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    # A player that starts anywhere but byte 0 still receives the recording's audio.
    await login(clocked_client, "auditor")
    data = seeded.call_wav.read_bytes()
    url = f"/recordings/{seeded.call_recording_id}"
    received = b""
    for start in range(1, len(data), 4096):
        end = min(start + 4095, len(data) - 1)
        part = await clocked_client.get(url, headers={"Range": f"bytes={start}-{end}"})
        assert part.status == 206
        received += await part.read()
    assert received == data[1:]
    suffix = await clocked_client.get(url, headers={"Range": "bytes=-44"})
    assert suffix.status == 206
    plays = access_log.entries(action="play_recording").entries
    assert [(p.username, p.recording_id) for p in plays] == [("ducha1", seeded.call_recording_id)]


async def test_listening_again_later_is_logged_again(
    clocked_client: TestClient, seeded: Seeded, access_log: AccessLog, web_clock: FixedClock
) -> None:
    await login(clocked_client, "auditor")
    url = f"/recordings/{seeded.call_recording_id}"
    for minutes in (0, 10, 20, 29):  # one listening: within the window of the entry
        web_clock.set(_start(access_log) + timedelta(minutes=minutes))
        part = await clocked_client.get(url, headers={"Range": "bytes=2000-2999"})
        assert part.status == 206
    assert access_log.entries(action="play_recording").total == 1
    web_clock.advance(2 * 60)  # 31 minutes after the first entry: a new listening
    assert (await clocked_client.get(url, headers={"Range": "bytes=3000-"})).status == 206
    other = await clocked_client.get(f"/recordings/{seeded.reason_recording_id}")
    assert other.status == 200
    plays = access_log.entries(action="play_recording").entries
    assert [p.recording_id for p in plays] == [
        seeded.reason_recording_id,
        seeded.call_recording_id,
        seeded.call_recording_id,
    ]


async def test_head_is_not_a_listening(
    clocked_client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(clocked_client, "auditor")
    head = await clocked_client.head(f"/recordings/{seeded.call_recording_id}")
    assert head.status == 200
    assert await head.read() == b""
    assert access_log.entries(action="play_recording").total == 0


def _start(access_log: AccessLog) -> datetime:
    """When the test's first listening began: the login's time."""
    return access_log.entries(action="login").entries[0].at


async def test_concurrent_ranges_make_one_entry(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "auditor")
    url = f"/recordings/{seeded.call_recording_id}"
    parts = await asyncio.gather(
        *(client.get(url, headers={"Range": f"bytes={i * 100}-{i * 100 + 99}"}) for i in range(12))
    )
    assert [p.status for p in parts] == [206] * 12
    assert access_log.entries(action="play_recording").total == 1
