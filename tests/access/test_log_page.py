"""The access log page: readable by supervisors and administrators only."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.web.fixtures import login
from tests.web.seed import Seeded


async def test_supervisor_reads_who_listened(client: TestClient, seeded: Seeded) -> None:
    token = await login(client, "auditor")
    assert (await client.get(f"/recordings/{seeded.reason_recording_id}")).status == 200
    await client.post("/logout", data={"csrf_token": token})
    await login(client, "supervisor")
    page = await client.get("/access-log")
    assert page.status == 200
    html = await page.text()
    assert "收听录音" in html and "ducha1" in html and "督查员" in html
    assert f'href="/calls/{seeded.complete}"' in html
    filtered = await (await client.get("/access-log", params={"action": "login"})).text()
    assert "收听录音</td>" not in filtered
    assert 'href="/access-log"' in html  # in the menu for this role


async def test_auditor_and_agent_cannot_read_it(client: TestClient, seeded: Seeded) -> None:
    token = await login(client, "auditor")
    response = await client.get("/access-log")
    assert response.status == 403
    assert 'href="/access-log"' not in await (await client.get("/")).text()
    await client.post("/logout", data={"csrf_token": token})
    await login(client, "agent")
    assert (await client.get("/access-log")).status == 403


async def test_refusals_are_described_in_chinese(client: TestClient, seeded: Seeded) -> None:
    token = await login(client, "agent")
    assert (await client.get(f"/recordings/{seeded.call_recording_id}")).status == 403
    await client.post("/logout", data={"csrf_token": token})
    await login(client, "supervisor")
    html = await (await client.get("/access-log", params={"action": "denied"})).text()
    assert "越权访问被拒" in html
    assert "需要“收听录音”权限" in html
    assert "play_recordings" not in html


async def test_a_page_past_the_end_says_so(client: TestClient, seeded: Seeded) -> None:
    await login(client, "supervisor")
    html = await (await client.get("/access-log", params={"page": "9"})).text()
    assert "第 9 页超出范围" in html and 'href="/access-log?page=1">最后一页' in html
