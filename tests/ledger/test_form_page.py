"""The web export and the call page give the form of the calls' profile: 烟台's calls
are exported as its 好差评清单; 义马's stay 附件2 (test_export_page)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from tests.web.fixtures import login

SH = ZoneInfo("Asia/Shanghai")
HALL = "烟台市政务服务中心综合窗口"


def yantai_call(ledger: Ledger, n: int, key: str, grade: str) -> str:
    ledger.upsert_unit(HALL, kind="window")
    case_id = ledger.add_case(
        f"YT{n}", HALL, f"市民{n}", f"1380000{n:04d}", "居住证办理", date(2026, 12, 3)
    )
    start = datetime(2026, 12, 4, 9, 30, tzinfo=SH) + timedelta(minutes=n)
    attempt = f"yt-{n}"
    ledger.start_attempt(attempt, case_id, "yantai_three_grade", start)
    ledger.mark_answered(attempt, start + timedelta(seconds=5))
    ledger.save_answer(attempt, Answer("q1_rating", "服务评价", "choice", key, grade), at=start)
    ledger.finish_attempt(attempt, Outcome.COMPLETE, 16, start + timedelta(minutes=1))
    return attempt


async def test_yantai_calls_export_as_the_good_and_bad_review_list(
    client: TestClient, web_ledger: Ledger
) -> None:
    attempt = yantai_call(web_ledger, 1, "1", "满意")
    yantai_call(web_ledger, 2, "2", "基本满意")
    token = await login(client, "auditor")
    response = await client.post("/export", data={"csrf_token": token, "month": "2026-12"})
    assert response.status == 200
    disposition = response.headers["Content-Disposition"]
    assert unquote(disposition.split("''", 1)[1]) == "政务服务好差评清单-全部单位-2026-12.xlsx"
    book = load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == ["好差评清单", "评价汇总"]
    rows = list(book["好差评清单"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[7]) for r in rows] == [(HALL, "满意"), (HALL, "基本满意")]
    assert rows[0][5] == "138****0001"
    page = await (await client.get(f"/calls/{attempt}")).text()
    assert "<dt>台账表单</dt><dd>好差评清单 政务服务好差评清单（烟台市政务服务中心）</dd>" in page
