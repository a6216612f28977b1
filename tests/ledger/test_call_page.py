"""A call's page: case, timeline, answers, transcripts, players, and the number reveal."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from callcenter.access.log import AccessLog
from callcenter.kernel.clock import FixedClock
from tests.web.fixtures import login
from tests.web.seed import PHONE_1, PHONE_2, REASON_TEXT, SUGGESTION_TEXT, Seeded


async def _call_page(client: TestClient, attempt_id: str) -> str:
    response = await client.get(f"/calls/{attempt_id}")
    assert response.status == 200, await response.text()
    return await response.text()


async def test_everything_about_the_call(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    html = await _call_page(client, seeded.complete)
    for text in (
        "YM-2026-1101",
        "义马市市场监督管理局千秋所",
        "张三先生",
        "138****5678",
        "个体工商户设立登记",
        "2026-11-03 10:00:00",  # dialled, Beijing time
        "2026-11-03 10:00:08",  # answered
        "完成回访",
        "正常挂机（原因码 16）",
        REASON_TEXT,
        SUGGESTION_TEXT,
        "服务态度不满意情形",
        "全程通话录音",
        "校验一致",
    ):
        assert text in html, text
    assert PHONE_1 not in html
    assert f'src="/recordings/{seeded.call_recording_id}"' in html
    assert f'src="/recordings/{seeded.reason_recording_id}"' in html
    assert 'id="whole-call"' in html
    assert 'preload="none"' in html  # nothing is fetched, or logged, until played
    assert "从此处收听" in html
    # The 台账 row as it will be exported.
    assert f"服务态度：一般（原因：{REASON_TEXT}）" in html
    # Only administrators are offered the full number.
    assert "显示完整号码" not in html


async def test_agent_sees_the_call_but_no_player(client: TestClient, seeded: Seeded) -> None:
    await login(client, "agent")
    html = await _call_page(client, seeded.complete)
    assert REASON_TEXT in html
    assert "<audio" not in html
    assert "您的角色无权收听录音" in html


async def test_unanswered_call(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    html = await _call_page(client, seeded.unanswered)
    assert "无人接听" in html and "未接通" in html and "本次通话没有全程录音" in html
    assert "无人应答（原因码 19）" in html


async def test_unknown_call_is_404(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    assert (await client.get("/calls/no-such-call")).status == 404


async def test_admin_reveals_the_number_on_the_record(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    token = await login(client, "admin")
    html = await _call_page(client, seeded.complete)
    assert "显示完整号码" in html and PHONE_1 not in html
    response = await client.post(
        f"/calls/{seeded.complete}/reveal", data={"csrf_token": token}, allow_redirects=False
    )
    # POST, then redirect, then GET: reloading the page does not post (and log) again.
    assert response.status == 303
    assert response.headers["Location"] == f"/calls/{seeded.complete}"
    assert PHONE_1 not in await response.text()
    html = await _call_page(client, seeded.complete)
    assert f'<span class="phone" id="phone">{PHONE_1}</span>' in html
    assert "本次查看已记录" in html
    entry = access_log.entries(action="reveal_phone").entries[0]
    assert (entry.username, entry.role, entry.attempt_id) == ("admin1", "admin", seeded.complete)
    assert "138****5678" in entry.detail and PHONE_1 not in entry.detail
    # Shown once: a reload shows the masked number and adds nothing to the log.
    again = await _call_page(client, seeded.complete)
    assert PHONE_1 not in again and "138****5678" in again
    assert access_log.entries(action="reveal_phone").total == 1


async def test_a_reveal_is_for_its_call_and_expires(
    clocked_client: TestClient, seeded: Seeded, web_clock: FixedClock
) -> None:
    token = await login(clocked_client, "admin")
    url = f"/calls/{seeded.complete}/reveal"
    await clocked_client.post(url, data={"csrf_token": token}, allow_redirects=False)
    assert PHONE_2 not in await _call_page(clocked_client, seeded.unanswered)
    web_clock.advance(5 * 60)  # the redirected page was never fetched
    assert PHONE_1 not in await _call_page(clocked_client, seeded.complete)


async def test_reveal_needs_the_token_and_the_role(
    client: TestClient, seeded: Seeded, access_log: AccessLog
) -> None:
    await login(client, "admin")
    forged = await client.post(f"/calls/{seeded.complete}/reveal", data={})
    assert forged.status == 403 and PHONE_1 not in await forged.text()
    await client.post("/logout", data={"csrf_token": "-"})
    client.session.cookie_jar.clear()
    token = await login(client, "supervisor")
    refused = await client.post(f"/calls/{seeded.complete}/reveal", data={"csrf_token": token})
    assert refused.status == 403 and PHONE_1 not in await refused.text()
    assert access_log.entries(action="reveal_phone").total == 0
    denied = access_log.entries(action="denied").entries
    assert [(e.username, e.role) for e in denied] == [("jiwei1", "supervisor")]


async def test_listening_from_an_answer_starts_at_its_question(
    client: TestClient, seeded: Seeded
) -> None:
    await login(client, "auditor")
    html = await _call_page(client, seeded.complete)
    # 服务环境 was answered 4 s after the call was answered, 服务态度 7 s after it.
    row = re.search(r"<td>服务态度</td>.*?</tr>", html, re.S)
    assert row is not None
    assert 'data-seek="4.0"' in row[0], row[0]


async def test_scores_are_shown_in_the_words_of_the_script(
    client: TestClient, seeded: Seeded
) -> None:
    await login(client, "auditor")
    html = await _call_page(client, seeded.complete)
    assert '<span class="score s1">非常满意</span>' in html
    assert '<span class="score s3">一般</span>' in html
    assert '<span class="score s1">1</span>' not in html
