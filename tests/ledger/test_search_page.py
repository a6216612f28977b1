"""The 台账 search page: filters, masked numbers, keyword snippets, roles."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from tests.web.fixtures import login
from tests.web.seed import PHONE_1, PHONE_2, PHONE_3, STATION, Seeded


async def _page(client: TestClient, **params: str) -> str:
    response = await client.get("/", params=params)
    assert response.status == 200, await response.text()
    return await response.text()


async def test_every_call_with_masked_numbers(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    html = await _page(client)
    assert '<strong id="total">3</strong>' in html
    for call in (seeded.complete, seeded.unanswered, seeded.satisfied):
        assert f'href="/calls/{call}"' in html
    assert "138****5678" in html and "139****4321" in html and "156****1111" in html
    for phone in (PHONE_1, PHONE_2, PHONE_3):
        assert phone not in html


async def test_admin_also_sees_masked_numbers_in_lists(client: TestClient, seeded: Seeded) -> None:
    await login(client, "admin")
    html = await _page(client)
    assert PHONE_1 not in html and "138****5678" in html


async def test_filters_narrow_the_list(client: TestClient, seeded: Seeded) -> None:
    await login(client, "agent")
    html = await _page(client, month="2026-10")
    assert '<strong id="total">1</strong>' in html and seeded.unanswered in html
    html = await _page(client, unit=STATION)
    assert '<strong id="total">1</strong>' in html and seeded.complete in html
    html = await _page(client, outcome="no_answer")
    assert seeded.unanswered in html and seeded.complete not in html
    html = await _page(client, score="3+")
    assert seeded.complete in html and seeded.satisfied not in html
    html = await _page(client, case="商贸")
    assert seeded.satisfied in html and seeded.complete not in html


async def test_keyword_finds_the_transcript_and_marks_it(
    client: TestClient, seeded: Seeded
) -> None:
    await login(client, "auditor")
    html = await _page(client, q="排队")
    assert '<strong id="total">1</strong>' in html
    assert f'href="/calls/{seeded.complete}"' in html
    assert "<mark>排队</mark>" in html
    assert "服务态度不满意情形：" in html


async def test_keyword_is_escaped(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    html = await _page(client, q="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


async def test_bad_filters_are_explained(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    response = await client.get("/", params={"month": "2026-13", "unit": "火星所", "score": "9"})
    assert response.status == 400
    html = await response.text()
    assert "月份“2026-13”格式不对" in html
    assert "没有名为“火星所”的单位" in html
    assert "评分条件“9”无效" in html


async def test_export_button_only_for_roles_that_may_export(
    client: TestClient, seeded: Seeded
) -> None:
    await login(client, "agent")
    assert 'action="/export"' not in await _page(client, month="2026-11")
    await client.post("/logout", data={"csrf_token": "-"})
    client.session.cookie_jar.clear()
    await login(client, "auditor")
    assert "导出 2026-11 台账" in await _page(client, month="2026-11")


async def test_scores_are_shown_in_words(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    html = await _page(client, month="2026-11")
    assert ">服务态度：一般</span>" in html
    assert ">服务环境：非常满意</span>" in html
    assert ">服务态度 3</span>" not in html


async def test_a_page_past_the_end_says_so(client: TestClient, seeded: Seeded) -> None:
    await login(client, "auditor")
    response = await client.get("/", params={"month": "2026-11", "page": "7"})
    assert response.status == 404
    html = await response.text()
    assert "第 7 页超出范围" in html
    assert "没有符合条件的通话记录" not in html
    assert 'href="/?month=2026-11&amp;page=1">最后一页' in html


async def test_missing_and_altered_recordings_are_flagged_in_the_list(
    client: TestClient, seeded: Seeded
) -> None:
    await login(client, "auditor")
    assert "录音文件" not in await _page(client)
    seeded.reason_wav.unlink()
    with seeded.call_wav.open("r+b") as f:
        f.seek(100)
        f.write(b"x")
    html = await _page(client)
    row = re.search(rf'href="/calls/{re.escape(seeded.complete)}".*?</tr>', html, re.S)
    assert row is not None
    assert "录音文件缺失" in row[0] and "录音文件已被改动" in row[0]
    other = re.search(rf'href="/calls/{re.escape(seeded.satisfied)}".*?</tr>', html, re.S)
    assert other is not None and "录音文件" not in other[0]
