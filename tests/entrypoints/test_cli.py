from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from callcenter.calls.store import Ledger
from callcenter.entrypoints.cli import app
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.ledger.taizhang import COLUMNS
from callcenter.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
runner = CliRunner()


def cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callcenter", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_script_check_ok() -> None:
    result = runner.invoke(app, ["script", "check", str(SCRIPT)])
    assert result.exit_code == 0, result.output
    assert "ok — 义马市市场监督管理局电话回访: 13 questions" in result.output


def test_script_check_reports_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: s\ntitle: t\nsteps:\n  - id: q1\n    type: scale\n    label: x\n    text: 满意吗\n    retries: 2\n"
    )
    result = cli("script", "check", str(bad))
    assert result.returncode == 2
    assert (
        f"error [script-invalid]: {bad}:8: steps[0].retries: Extra inputs are not permitted"
        in result.stderr
    )


def test_script_simulate_in_the_terminal() -> None:
    # consent, seven answers; a 3 on the environment asks why (Enter ends the "recording")
    keys = "\n".join(["1", "3", "排队太久", "1", "1", "1", "1", "2", "2"]) + "\n"
    result = cli("script", "simulate", str(SCRIPT), "--name", "李娜", "--title", "女士", stdin=keys)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "请问你是李娜女士吗？" in out
    assert "✔ 服务环境: 一般" in out
    assert "请问您是对哪些方面不够满意" in out
    assert "outcome: answered_complete (完成回访)" in out


def test_bad_setting_is_named() -> None:
    result = cli("ledger", "show", env={"CALLCENTER_DIAL__RING_TIMEOUT": "soon"})
    assert result.returncode == 2
    assert "dial.ring_timeout" in result.stderr and "environment (CALLCENTER_*)" in result.stderr


def test_ledger_export_writes_the_six_columns(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    engine = make_engine(db)
    migrate(engine)
    ledger = Ledger(session_factory(engine))
    ledger.upsert_unit("城区市场监管所")
    case = ledger.add_case(
        "C1", "城区市场监管所", "王伟", "13800000001", "企业变更登记", date(2026, 10, 3)
    )
    at = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    ledger.start_attempt("a1", case, "yima_phone_followup", at)
    ledger.mark_answered("a1", at)
    ledger.save_answer("a1", Answer("consent", "接听意愿", "yesno", keys="1", value="方便"))
    ledger.save_answer(
        "a1", Answer("q1_environment", "服务环境", "scale", keys="1", value="非常满意", score=1)
    )
    ledger.finish_attempt("a1", Outcome.PARTIAL, 16, at, "中途挂断，已答1题")
    engine.dispose()
    out = tmp_path / "台账.xlsx"
    result = cli(
        "ledger",
        "export",
        "--month",
        "2026-11",
        "-o",
        str(out),
        env={"CALLCENTER_DATABASE_URL": db},
    )
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    assert tuple(c.value for c in ws[1]) == COLUMNS
    row = [c.value for c in ws[2]]
    assert row[0] == "城区市场监管所" and row[1] == "2026-11-05 10:00" and row[2] == "王伟"
    assert "服务环境：非常满意" in row[4] and "中途挂断，已答1题" in row[5]


def test_bad_month_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    result = cli(
        "ledger",
        "export",
        "--month",
        "2026-13",
        "-o",
        str(tmp_path / "x.xlsx"),
        env={"CALLCENTER_DATABASE_URL": db},
    )
    assert result.returncode == 2 and "2026-13" in result.stderr


def test_production_asterisk_config_has_no_simulator(tmp_path: Path) -> None:
    result = runner.invoke(app, ["asterisk", "config", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pjsip = (tmp_path / "pjsip.conf").read_text()
    assert "[trunk]" in pjsip and "sim-carrier" not in pjsip
    assert "sim-applicant" not in (tmp_path / "extensions.conf").read_text()
    assert "bindaddr = 0.0.0.0" in (tmp_path / "http.conf").read_text()
