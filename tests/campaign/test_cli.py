"""``callcenter import`` and ``callcenter campaign plan|status|pause|dnc`` on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.entrypoints.cli import app

runner = CliRunner()
HEADER = "办件编号,办理窗口,办理事项,申请人,联系电话,办结日期,是否投诉\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("CALLCENTER_STORAGE_ROOT", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")  # rich tables at full width
    monkeypatch.setenv("CALLCENTER_CAMPAIGN__QUOTA_BUREAU", "5")
    monkeypatch.setenv("CALLCENTER_CAMPAIGN__QUOTA_STATION", "3")
    lines = [
        f"C{i},城区市场监管所,企业变更登记,王伟,1380000{i:04d},2026-10-{1 + i % 28:02d},{'是' if i == 1 else '否'}\n"
        for i in range(1, 9)
    ]
    lines.append("C99,城区市场监管所,企业变更登记,王伟,12345,2026-10-02,否\n")
    (tmp_path / "cases.csv").write_text(HEADER + "".join(lines), encoding="gbk")
    return tmp_path


def test_import_plan_status_pause_and_dnc(env: Path) -> None:
    report = env / "rejected.csv"
    result = runner.invoke(app, ["import", str(env / "cases.csv"), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "(gbk): 9 rows, 8 imported, 0 already in the ledger, 1 rejected" in result.output
    assert "row 10: 电话 '12345' 不是有效的手机或固定电话号码" in result.output
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("10,")

    result = runner.invoke(app, ["campaign", "dnc", "add", "138-0000-0002", "--reason", "本人要求"])
    assert result.exit_code == 0 and "13800000002: added" in result.output

    result = runner.invoke(
        app, ["campaign", "plan", "--month", "2026-11", "--seed", "3", "--show", "-1"]
    )
    assert result.exit_code == 0, result.output
    assert "seed 3" in result.output and "投诉件100%" in result.output
    assert "do_not_call 1" in result.output

    result = runner.invoke(app, ["campaign", "status", "--json"])
    status = json.loads(result.output)
    assert (status["month"], status["state"], status["total"], status["remaining"]) == (
        "2026-11",
        "planned",
        5,
        5,
    )

    result = runner.invoke(app, ["campaign", "pause"])
    assert result.exit_code != 0  # a plan not started cannot be paused
    result = runner.invoke(app, ["campaign", "dnc", "list"])
    assert "13800000002\t本人要求" in result.output
