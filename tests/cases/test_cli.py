"""``callcenter import``: what a script calling it can tell from the exit code and output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cases.cli import EXIT_DIFFERING, EXIT_REJECTED
from callcenter.entrypoints.cli import app
from callcenter.kernel.errors import ImportFileError

runner = CliRunner()
BUREAU = "义马市市场监督管理局"
HEADER = "办件编号,办理单位,窗口/所,办理事项,申请人,联系电话,办结日期\n"
GOOD = [
    f"YM1,{BUREAU},城区市场监管所,企业变更登记,王伟,13812345678,2026-10-09\n",
    f"YM2,{BUREAU},千秋市场监管所,企业变更登记,李娜,13800000002,2026-10-10\n",
]
BAD = f"YM3,{BUREAU},城区市场监管所,企业变更登记,赵敏,12345,2026-10-12\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("CALLCENTER_STORAGE_ROOT", str(tmp_path))
    return tmp_path


def csv_file(path: Path, *lines: str) -> str:
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return str(path)


def test_rejected_rows_exit_3(env: Path) -> None:
    result = runner.invoke(app, ["import", csv_file(env / "a.csv", *GOOD, BAD)])
    assert result.exit_code == EXIT_REJECTED == 3, result.output
    assert "3 rows, 2 imported, 0 already in the ledger, 1 rejected" in result.output
    assert "header: 办理窗口 (unit): column 3 (C) '窗口/所' taken over" in result.output


def test_strict_imports_nothing_and_exits_3(env: Path) -> None:
    f = csv_file(env / "a.csv", *GOOD, BAD)
    result = runner.invoke(app, ["import", f, "--strict"])
    assert result.exit_code == 3, result.output
    assert "--strict: nothing imported" in result.output
    result = runner.invoke(app, ["import", csv_file(env / "b.csv", *GOOD)])
    assert result.exit_code == 0, result.output
    assert "2 rows, 2 imported, 0 already in the ledger, 0 rejected" in result.output


def test_differing_cases_exit_4_until_updated(env: Path) -> None:
    assert runner.invoke(app, ["import", csv_file(env / "a.csv", *GOOD)]).exit_code == 0
    moved = GOOD[0].replace("城区市场监管所", "东区市场监管所").replace("5678", "0000")
    f = csv_file(env / "b.csv", moved, GOOD[1])
    report = env / "report.csv"
    result = runner.invoke(app, ["import", f, "--report", str(report)])
    assert result.exit_code == EXIT_DIFFERING == 4, result.output
    assert "1 rows differ from the ledger (办理窗口 1, 联系电话 1)" in result.output
    assert "import again with --update" in result.output
    # phone numbers are masked as on the web pages
    line = (
        "row 2 (YM1): 办理窗口 城区市场监管所 → 东区市场监管所；联系电话 138****5678 → 138****0000"
    )
    assert line in result.output
    assert (
        report.read_text(encoding="utf-8-sig")
        .splitlines()[1]
        .startswith("2,与台账不同，未更新：办理窗口 城区市场监管所 → 东区市场监管所")
    )

    result = runner.invoke(app, ["import", f, "--update"])
    assert result.exit_code == 0, result.output
    assert "1 cases updated to what the file says (办理窗口 1, 联系电话 1)" in result.output
    result = runner.invoke(app, ["import", f])
    assert result.exit_code == 0 and "differ from the ledger" not in result.output


def test_map_option_and_its_errors(env: Path) -> None:
    f = csv_file(env / "a.csv", *GOOD)
    result = runner.invoke(app, ["import", f, "--map", "办理单位"])
    assert result.exit_code == 2 and "is not 表头=字段" in result.output
    result = runner.invoke(app, ["import", f, "--map", "窗口/所=-", "--map", "办理单位=unit"])
    assert result.exit_code == 0, result.output
    assert "header:" not in result.output


def test_an_ambiguous_file_is_a_typed_error(env: Path) -> None:
    f = env / "tie.csv"
    f.write_text(HEADER.replace("办理单位", "窗口") + GOOD[0], encoding="utf-8")
    result = runner.invoke(app, ["import", str(f)])
    assert isinstance(result.exception, ImportFileError)
    assert "'窗口' and column 3 (C) '窗口/所'" in str(result.exception)
