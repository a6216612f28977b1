"""``callcenter report kpi|monthly|grades … -o FILE.xlsx`` and ``report deduct`` on the
hand-built dataset: one sheet per table, counts and scores numbers, rates percentages."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from callcenter.container import Container
from callcenter.entrypoints.cli import app as root
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.reports.cli import app
from callcenter.settings import Settings, load_settings
from tests.reports.dataset import JIA, YI_WINDOW, YI_WINDOW2, bj, build

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = load_settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", storage_root=tmp_path)
    engine = make_engine(s.database_url)
    migrate(engine)
    build(session_factory(engine))
    engine.dispose()
    return s


def run(settings: Settings, *args: str) -> str:
    result = runner.invoke(app, list(args), obj=Container(settings, FixedClock(bj(12, 3))))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_kpi_workbook(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "kpi.xlsx"
    run(
        settings,
        "deduct",
        "--unit",
        JIA,
        "--kind",
        "spot_check",
        "--count",
        "2",
        "--on",
        "2026-11-15",
        "--reason",
        "两起不实",
        "--by",
        "jiwei1",
    )
    said = run(settings, "kpi", "--period", "2026-11", "-o", str(out))
    assert "第十五条考核 3 rows" in said
    book = load_workbook(out)
    assert book.sheetnames == ["第十五条考核", "第十六条窗口考核", "扣分记录"]
    a15 = book["第十五条考核"]
    header = [c.value for c in a15[1]]
    assert header[:5] == ["排名", "单位", "总业务量", "有效回访数量", "有效回访率"]
    jia = next(r for r in a15.iter_rows(min_row=2) if r[1].value == JIA)
    cells = dict(zip(header, jia, strict=True))
    assert cells["总业务量"].value == 51 and cells["总业务量"].data_type == "n"
    # 42/51 as a number shown as a percentage
    assert cells["有效回访率"].value == pytest.approx(42 / 51)
    assert cells["有效回访率"].number_format == "0.00%"
    # 71.7087 − 10 (two findings) = 61.71
    assert cells["扣分"].value == 10
    assert cells["总分"].value == pytest.approx(61.71)
    a16 = book["第十六条窗口考核"]
    header = [c.value for c in a16[1]]
    yi = next(r for r in a16.iter_rows(min_row=2, values_only=True) if r[0] == YI_WINDOW)
    assert dict(zip(header, yi, strict=True))["得分"] == pytest.approx(18.5)
    log = list(book["扣分记录"].iter_rows(min_row=2, values_only=True))
    assert log == [
        (
            JIA,
            "2026-11-15",
            "抽查发现情况不实或弄虚作假",
            2,
            10,
            "两起不实",
            "jiwei1",
            "2026-12-03 10:00",
        )
    ]


def test_the_monthly_and_grades_workbooks(settings: Settings, tmp_path: Path) -> None:
    run(settings, "monthly", "--period", "2026-11", "-o", str(tmp_path / "m.xlsx"))
    book = load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["回访完成情况", "回访答案分布"]
    rows = {r[0]: r for r in book["回访完成情况"].iter_rows(min_row=2, values_only=True)}
    assert rows[YI_WINDOW][2:6] == (30, 200, 167, "达标")
    run(
        settings,
        "grades",
        "--period",
        "2026-10-01..2026-12-31",
        "--unit",
        YI_WINDOW2,
        "-o",
        str(tmp_path / "g.xlsx"),
    )
    book = load_workbook(tmp_path / "g.xlsx")
    grades = list(book["满意度评价"].iter_rows(min_row=2, values_only=True))
    assert grades[-1][:6] == (YI_WINDOW2, "2026年第四季度合计", 32, 7, 4, 43)
    assert grades[-1][6] == pytest.approx(32 / 43)


def test_a_bad_period_is_refused_with_the_forms(settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["kpi", "--period", "2026-13", "-o", str(tmp_path / "x.xlsx")],
        obj=Container(settings, FixedClock(bj(12, 3))),
    )
    assert result.exit_code != 0
    assert "2026-Q4" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_the_commands_are_callcenter_report() -> None:
    result = runner.invoke(root, ["report", "--help"])
    assert result.exit_code == 0
    for command in ("kpi", "monthly", "grades", "deduct"):
        assert command in result.output
