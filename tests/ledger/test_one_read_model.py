"""The call page, the XLSX export and ``ledger show`` read one model: a call an agent took
over has the same 备注 on each, and a 局's filter gives the same rows, its 所 included."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from callcenter.access.accounts import Accounts
from callcenter.access.passwords import hash_password
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.entrypoints.cli import app as cli_app
from callcenter.entrypoints.web import create_app
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import CAUSE_NO_ANSWER, CAUSE_NORMAL, Outcome
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.settings import Settings, load_settings
from tests.web.fixtures import USERS, login

BUREAU = "义马市市场监督管理局"
STATION = "义马市市场监督管理局千秋所"
OTHER_BUREAU = "渑池县市场监督管理局"
MONTH = "2026-11"
AGENT_NOTE = "已向申请人解释排队原因"
REMARK = (
    f"已转人工；需跟进：服务环境(4)；转人工原因：满意度评分较低；坐席记录：已解释说明，{AGENT_NOTE}"
)

Row = tuple[str, str, str, str]  # 回访单位, 回访时间, 电话记录, 备注


def beijing(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=BEIJING)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}", storage_root=tmp_path / "storage"
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def taken_over(engine: Engine) -> str:
    """Calls of one November: a takeover at the 局's 所 with the agent's note, an
    unanswered call to the 局 itself, and calls outside the filter (another 局, October)."""
    sessions = session_factory(engine)
    ledger = Ledger(sessions)
    ledger.upsert_unit(BUREAU, kind="bureau")
    ledger.upsert_unit(STATION, kind="station", parent=BUREAU)
    ledger.upsert_unit(OTHER_BUREAU, kind="bureau")
    at_station = ledger.add_case(
        "YM-1", STATION, "王伟", "13800000001", "个体工商户设立登记", date(2026, 10, 9), "先生"
    )
    at_bureau = ledger.add_case(
        "YM-2", BUREAU, "李娜", "13800000002", "食品经营许可", date(2026, 10, 12), "女士"
    )
    elsewhere = ledger.add_case(
        "MC-1", OTHER_BUREAU, "赵六", "13800000003", "营业执照变更", date(2026, 10, 15)
    )

    attempt = "takeover-1"
    start = beijing(3, 10)
    ledger.start_attempt(attempt, at_station, "yima_phone_followup", start)
    ledger.mark_answered(attempt, start + timedelta(seconds=5))
    ledger.save_answer(attempt, Answer("consent", "接听意愿", "yesno", "1", "方便"))
    ledger.save_answer(
        attempt, Answer("q1_environment", "服务环境", "scale", "4", "不太满意", score=4)
    )
    log = TakeoverLog(sessions)
    takeover = log.open(
        attempt,
        rule_id="low_score",
        rule_label="满意度评分较低",
        question_id="q1_environment",
        key="4",
        misconduct=False,
        channel_id=attempt,
    )
    log.connected(takeover, "agent1", "bridge-1")
    log.finish(takeover, "ended")
    log.record_outcome(takeover, "agent1", "explained", AGENT_NOTE)
    ledger.finish_attempt(
        attempt,
        Outcome.TRANSFERRED,
        CAUSE_NORMAL,
        start + timedelta(minutes=3),
        "转人工原因：满意度评分较低",
    )

    def unanswered(attempt_id: str, case_id: int, at: datetime) -> None:
        ledger.start_attempt(attempt_id, case_id, "yima_phone_followup", at)
        ledger.finish_attempt(attempt_id, Outcome.NO_ANSWER, CAUSE_NO_ANSWER, at)

    unanswered("bureau-1", at_bureau, beijing(4, 9))
    unanswered("elsewhere-1", elsewhere, beijing(5, 9))
    unanswered("october-1", at_station, datetime(2026, 10, 30, 9, 0, tzinfo=BEIJING))
    return attempt


@pytest.fixture
async def client(settings: Settings, engine: Engine) -> AsyncIterator[TestClient]:
    name, password = USERS["auditor"]
    Accounts(session_factory(engine)).add_user(name, "auditor", hash_password(password))
    async with TestClient(TestServer(create_app(settings, engine=engine))) as c:
        yield c


def _called_at(row: Row) -> str:
    return row[1]


def _dd(page: str, section: str, term: str) -> str:
    """The text after ``<dt>term</dt>`` in the page's ``section`` card."""
    card = page.split(f"<h2>{section}</h2>", 1)[1]
    match = re.search(rf"<dt>{term}</dt><dd>(.*?)</dd>", card, re.S)
    assert match, f"no {term} under {section}"
    return html.unescape(match[1]).strip()


async def _web_rows(client: TestClient, unit: str) -> list[Row]:
    """The search page's calls for the unit, each with the 台账 row its own page shows."""
    page = await (await client.get("/", params={"month": MONTH, "unit": unit})).text()
    found = re.findall(r'<a href="/calls/([^"]+)">([^<]+)</a></td>\s*<td>([^<]+)</td>', page)
    rows = []
    for attempt_id, called_at, unit_name in found:
        call = await (await client.get(f"/calls/{attempt_id}")).text()
        record, remark = _dd(call, "台账记录", "电话记录"), _dd(call, "台账记录", "备注")
        rows.append((unit_name, called_at, record, "" if remark == "—" else remark))
    return rows


async def _xlsx_rows(client: TestClient, token: str, unit: str) -> list[Row]:
    response = await client.post(
        "/export", data={"csrf_token": token, "month": MONTH, "unit": unit}
    )
    assert response.status == 200, await response.text()
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    return [
        (str(r[0]), str(r[1]), str(r[4]), str(r[5] or ""))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _cli_rows(settings: Settings, unit: str) -> list[Row]:
    env = {
        "CALLCENTER_DATABASE_URL": settings.database_url,
        "CALLCENTER_STORAGE_ROOT": str(settings.storage_root),
        "COLUMNS": "1000",  # one line per row: nothing folded
    }
    result = CliRunner().invoke(
        cli_app, ["ledger", "show", "--month", MONTH, "--unit", unit], env=env
    )
    assert result.exit_code == 0, result.output
    rows = []
    for line in result.output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] != "回访单位":
            rows.append((cells[0], cells[1], cells[4], cells[5]))
    return rows


async def test_page_export_and_command_line_agree(
    client: TestClient, settings: Settings, taken_over: str
) -> None:
    token = await login(client, "auditor")
    call = await (await client.get(f"/calls/{taken_over}")).text()
    assert _dd(call, "台账记录", "备注") == REMARK

    for unit in (BUREAU, STATION):
        web = sorted(await _web_rows(client, unit), key=_called_at)
        xlsx = await _xlsx_rows(client, token, unit)
        cli = _cli_rows(settings, unit)
        assert web == xlsx == cli, unit

    # the 局's filter holds its 所: the takeover and the 局's own call, nothing else
    bureau = await _xlsx_rows(client, token, BUREAU)
    assert [(r[0], r[1]) for r in bureau] == [
        (STATION, "2026-11-03 10:00"),
        (BUREAU, "2026-11-04 09:00"),
    ]
    assert bureau[0][3] == REMARK
    assert bureau[1][2:] == ("未接通", "无人接听")
    assert [r[0] for r in await _xlsx_rows(client, token, STATION)] == [STATION]
