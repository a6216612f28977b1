"""``callcenter ticket …`` on SQLite, on a fixed clock (the commands' container), and the
error a refused step prints through the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from callcenter.calls.store import Ledger
from callcenter.container import Container
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.kernel.errors import ConfigError, TicketDenied
from callcenter.settings import Settings, load_settings
from callcenter.tickets import cli
from callcenter.tickets.export import COLUMNS
from tests.tickets.fixtures import (
    ROOT,
    STATION,
    add_case,
    add_units,
    add_user,
    answers,
    beijing,
    finished_call,
    make_service,
)

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}", storage_root=tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(beijing(2026, 2, 13, 16))


@pytest.fixture
def opened(settings: Settings, clock: FixedClock) -> str:
    engine = make_engine(settings.database_url)
    migrate(engine)
    ledger = Ledger(session_factory(engine))
    add_units(ledger)
    add_user(ledger, "lianluo1", "liaison", STATION)
    add_user(ledger, "lianluo2", "liaison", "义马市市场监督管理局泰山所")
    add_user(ledger, "jiwei1", "supervisor")
    service = make_service(ledger, clock)
    case_id = add_case(ledger, "YM-2026-0901")
    call = finished_call(ledger, "c901", case_id, clock.now() - timedelta(minutes=3), answers(q2=5))
    number = service.store.load(service.on_call_finished(call) or 0).number
    engine.dispose()
    return number


def run(settings: Settings, clock: FixedClock, *args: str) -> str:
    result = runner.invoke(cli.app, list(args), obj=Container(settings, clock))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_list_contact_show_status(settings: Settings, clock: FixedClock, opened: str) -> None:
    listing = run(settings, clock, "list")
    assert f"{opened}  整改工单  待联系" in listing
    assert "联系申请人期限 2026-02-14 16:00" in listing and "1 tickets" in listing
    clock.set(beijing(2026, 2, 14, 9))
    assert "【预警】" in run(settings, clock, "list", "--due", "预警")
    out = run(
        settings, clock, "contact", opened, "--user", "lianluo1", "--method", "visit",
        "--summary", "上门走访，申请人接受道歉。",
    )  # fmt: skip
    assert out.strip() == f"整改工单{opened}: 整改中"
    with pytest.raises(TicketDenied, match="只能查看和办理本单位"):
        run(settings, clock, "report", opened, "--user", "lianluo2", "--text", "越权")
    shown = run(settings, clock, "show", opened)
    assert "不满意内容：服务态度：很不满意；服务态度不满意情形：已录音（待转写）" in shown
    assert "lianluo1 联系申请人（上门走访） → 整改中：上门走访，申请人接受道歉。" in shown
    status = run(settings, clock, "status")
    assert "待联系 0  整改中 1" in status
    assert "1 open; 0 预警 or 超期" in status
    clock.set(beijing(2026, 2, 25, 17))  # the report is due at the end of the 25th
    status = run(settings, clock, "status")
    assert "1 open; 1 预警 or 超期" in status
    assert "提交整改报告期限 2026-02-26 00:00 【预警】" in status


def test_import_export_bind_email(
    settings: Settings, clock: FixedClock, opened: str, tmp_path: Path
) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "办件编号,评价渠道,满意度,评价内容,评价时间\n"
        "YM-2026-0901,APP,不满意,又一次差评,2026-02-13 11:00\n"
        "YM-2026-0000,APP,不满意,,2026-02-13 11:00\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli.app, ["import", str(ratings)], obj=Container(settings, clock))
    assert result.exit_code == cli.EXIT_REJECTED, result.output
    assert "2 rows, 1 差评, 0 tickets opened, 1 already had one, 1 rejected" in result.output
    assert "row 3: 办件编号 YM-2026-0000 不在台账中，请先导入该办件" in result.output
    out = tmp_path / "整改台账.xlsx"
    assert "1 tickets written" in run(
        settings, clock, "export", "--month", "2026-02", "-o", str(out)
    )
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == COLUMNS and rows[1][0] == opened
    assert "0 tickets written" in run(
        settings, clock, "export", "--month", "2026-03", "-o", str(out)
    )
    run(settings, clock, "bind", "jiwei1", "义马市市场监督管理局大厅窗口")
    run(settings, clock, "email", "jiwei1", "jiwei1@ymscjgj.example.cn")
    staff = run(settings, clock, "staff")
    assert "jiwei1" in staff and "义马市市场监督管理局大厅窗口" in staff
    assert "jiwei1@ymscjgj.example.cn" in staff
    with pytest.raises(ConfigError, match="no notifier"):
        run(settings, clock, "notify")


def test_a_refused_step_prints_the_ticket_its_state_and_the_step(
    settings: Settings, opened: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update(
        CALLCENTER_DATABASE_URL=settings.database_url,
        CALLCENTER_STORAGE_ROOT=str(settings.storage_root),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "callcenter", "ticket", "report", opened, "--user", "lianluo1",
         "--text", "未联系先报告"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"error [ticket-refused]: 工单{opened}处于「待联系」，不能提交整改报告：当前可办理：联系申请人"
        in result.stderr
    )
