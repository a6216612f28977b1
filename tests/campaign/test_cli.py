"""``callcenter import`` and ``callcenter campaign plan|status|pause|dnc`` on SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.campaign.store import CampaignStore
from callcenter.entrypoints.cli import app
from callcenter.kernel.database import make_engine, session_factory
from callcenter.kernel.errors import ConfigError

runner = CliRunner()
MADE_UP_2099 = Path(__file__).resolve().parents[1] / "fixtures" / "calendars" / "2099.yaml"
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
    assert result.exit_code == 3, result.output  # some rows were rejected
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


def test_plan_masks_numbers_writes_csv_and_warns_of_an_unused_seed(env: Path) -> None:
    runner.invoke(app, ["import", str(env / "cases.csv")])
    plan = ["campaign", "plan", "--month", "2026-11", "--show", "-1"]
    result = runner.invoke(app, [*plan, "--seed", "3", "--csv", str(env / "plan.csv")])
    assert result.exit_code == 0, result.output
    # masked as on the web pages, unless asked for in full
    assert "138****0001" in result.output and "13800000001" not in result.output
    assert "warning" not in result.output
    lines = (env / "plan.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "序,抽样理由,办件编号,单位,申请人,电话,事项,办结日期,状态"
    assert len(lines) == 1 + 5
    assert "13800000001" not in "".join(lines) and "138****0001" in "".join(lines)
    assert (env / "plan.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    result = runner.invoke(
        app, [*plan, "--seed", "7", "--full-numbers", "--csv", str(env / "f.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "seed 3" in result.output and "13800000001" in result.output
    assert "13800000001" in (env / "f.csv").read_text(encoding="utf-8-sig")
    warning = (
        "warning: campaign 2026-11 was already drawn with seed 3; this is that plan, not one "
        "drawn with seed 7 (to draw it again with seed 7: callcenter campaign plan --month "
        "2026-11 --seed 7 --redraw)"
    )
    assert warning in " ".join(result.output.split())
    # the same seed again is no news
    result = runner.invoke(app, [*plan, "--seed", "3"])
    assert result.exit_code == 0 and "warning" not in result.output


def test_plan_warns_of_days_the_calendar_does_not_know(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["campaign", "plan", "--month", "2099-02"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert (
        "warning: the calendar does not know 28 days of 2099-02 (2099-02-01 … 2099-02-28): "
        "the dialler will pause the campaign on them; add the State Council's 2099 holidays "
        "in a holiday file (campaign.calendar_files)"
    ) in out
    monkeypatch.setenv("CALLCENTER_CAMPAIGN__CALENDAR_FILES", json.dumps([str(MADE_UP_2099)]))
    result = runner.invoke(app, ["campaign", "plan", "--month", "2099-02"])
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_status_shows_why_the_dialler_paused(env: Path) -> None:
    assert runner.invoke(app, ["campaign", "plan", "--month", "2099-02"]).exit_code == 0
    engine = make_engine(f"sqlite:///{env / 'ledger.db'}")
    try:
        store = CampaignStore(session_factory(engine))
        store.set_state("2099-02", ("planned",), "running", datetime.now(UTC))
        assert store.pause_running("no holiday data for 2099-02-02: …") == ["2099-02"]
    finally:
        engine.dispose()
    result = runner.invoke(app, ["campaign", "status"])
    assert "paused by the dialler: no holiday data for 2099-02-02: …" in result.output
    status = json.loads(runner.invoke(app, ["campaign", "status", "--json"]).output)
    assert (status["state"], status["pause_reason"]) == (
        "paused",
        "no holiday data for 2099-02-02: …",
    )


def test_holidays_checks_a_file_and_shows_it(env: Path) -> None:
    result = runner.invoke(app, ["campaign", "holidays", str(MADE_UP_2099)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{MADE_UP_2099}: 2099, 24 days off, 5 调休上班",
        "  元旦: 2098-12-31 – 2099-01-02 (3 days)",
        "  春节: 2099-01-21 – 2099-01-27 (7 days)",
        "  清明节: 2099-04-05 – 2099-04-05 (1 day)",
        "  劳动节: 2099-05-01 – 2099-05-05 (5 days)",
        "  国庆节: 2099-10-01 – 2099-10-08 (8 days)",
        "  调休上班: 2098-12-27, 2099-01-18, 2099-01-31, 2099-04-26, 2099-10-10",
    ]
    bad = env / "bad.yaml"
    bad.write_text("year: 2099\nholidays: []\n", encoding="utf-8")
    result = runner.invoke(app, ["campaign", "holidays", str(bad)])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception) == f"{bad}:1: workdays: missing"
