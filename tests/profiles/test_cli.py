"""``callcenter profile check``, and a profile's rules from the command line: 信阳's
附表3 imported with ``import --form``, its month planned with ``campaign plan --profile``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from callcenter.entrypoints.cli import app
from callcenter.kernel.paths import PROJECT_ROOT

runner = CliRunner()
SHIPPED = sorted((PROJECT_ROOT / "profiles").glob("*.yaml"))


def test_every_shipped_profile_and_its_scripts_check() -> None:
    result = runner.invoke(
        app,
        ["profile", "check", *map(str, SHIPPED), "--scripts", str(PROJECT_ROOT / "ivr_scripts")],
    )
    assert result.exit_code == 0, result.output
    assert len(SHIPPED) == 5 and result.output.count(": ok — ") == 5
    assert "信阳市住房和城乡建设局: scripts xinyang_enterprise_followup; 全部回访（100%）; " \
        "每月，周期截至25日，1日至10日拨打; 台账表单 附表1" in result.output  # fmt: skip


def test_a_profile_naming_a_missing_script_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "demo.yaml"
    bad.write_text("id: demo\nname: 演示局\nscripts: [no_such_script]\n", encoding="utf-8")
    result = runner.invoke(
        app, ["profile", "check", str(bad), "--scripts", str(PROJECT_ROOT / "ivr_scripts")]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "scripts: no script 'no_such_script'" in str(result.exception)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("CALLCENTER_STORAGE_ROOT", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def test_xinyang_form_imported_and_planned_by_its_profile(env: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["序号", "单位", "姓名", "时间", "地点", "涉企事宜", "工作完成情况",
               "服务对象（企业）", "企业联系人", "企业联系人电话号码", "备注"])  # fmt: skip
    for n, day in enumerate(["2026-10-25", "2026-10-26", "2026-11-25", "2026-11-26"], 1):
        ws.append([n, "城建科", "王芳", day, "", "施工许可证核发", "已办结", f"企业{n}", "陈刚",
                   f"1391234{n:04d}", ""])  # fmt: skip
    wb.save(env / "fubiao3.xlsx")
    result = runner.invoke(app, ["import", str(env / "fubiao3.xlsx"), "--form", "附表3"])
    assert result.exit_code == 0, result.output
    assert "4 rows, 4 imported" in result.output
    result = runner.invoke(
        app, ["campaign", "plan", "--profile", "xinyang", "--month", "2026-12", "--show", "-1"]
    )
    assert result.exit_code == 0, result.output
    assert "cases completed 2026-10-26 – 2026-11-26 (exclusive)" in result.output
    assert "profile xinyang (sampling: all)" in result.output
    assert result.output.count("全部回访（100%）") == 2
    # the 25th of October was in the previous cycle, the 25th of November is in this one
    assert "2026-10-25" not in result.output and "2026-11-25" in result.output
