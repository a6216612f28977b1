"""Profiles as shipped, and a bad profile refused with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.kernel.errors import ConfigError
from callcenter.kernel.paths import PROJECT_ROOT
from callcenter.profiles.loader import load_profile, load_profiles, profile_named, profile_of_script

SHIPPED = PROJECT_ROOT / "profiles"


def test_the_five_bureaus_are_shipped() -> None:
    profiles = load_profiles(SHIPPED)
    assert sorted(profiles) == ["jining", "xinyang", "xuchang", "yantai", "yima"]
    yima, xinyang = profiles["yima"], profiles["xinyang"]
    assert yima.population.sampling == "quotas" and yima.population.quotas is None
    assert yima.cycle.closes_on is None and yima.ledger_form == "附件2"
    assert xinyang.population.sampling == "all"
    assert (xinyang.cycle.closes_on, xinyang.cycle.call_days) == (25, (1, 10))
    assert xinyang.population.import_form == "附表3" and xinyang.ledger_form == "附表1"
    assert (xinyang.tickets.report, xinyang.tickets.contact_by) == ("5wd", "visit")
    assert profiles["xuchang"].population.separate_handler
    assert profiles["xuchang"].population.matters == ["行政许可", "行政处罚"]
    assert profiles["yantai"].daily and profiles["yantai"].ledger_form == "好差评清单"


def test_a_calls_script_tells_its_profile() -> None:
    profiles = load_profiles(SHIPPED)
    assert profile_of_script(profiles, "yantai_three_grade", "yima") == profiles["yantai"]
    # 济宁 uses 义马's script: an installation of either keeps its own
    assert profile_of_script(profiles, "yima_phone_followup", "yima") == profiles["yima"]
    assert profile_of_script(profiles, "yima_phone_followup", "jining") == profiles["jining"]
    assert profile_of_script(profiles, "unknown", "yima") is None


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
id: demo
name: 演示局
scripts: [demo_script]
cycle:
  every: month
  closes_on: 25
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("closes_on: 25", "closes_on: 31"),
            r":6: cycle\.closes_on: .*less than or equal to 28",
        ),
        (GOOD + "ledger_form: 附件9\n", r":7: ledger_form: Input should be '附件2'"),
        (GOOD + "colour: red\n", r":7: colour: Extra inputs are not permitted"),
        (
            GOOD.replace("scripts: [demo_script]", "scripts: []"),
            r":3: scripts: List should have at least 1 item",
        ),
        (
            GOOD + "population:\n  sampling: all\n  quotas: {bureau: 1}\n",
            r":7: population: quotas apply to sampling: quotas",
        ),
        (GOOD.replace("closes_on: 25", "call_days: [10, 1]"), r":4: cycle: call_days \[10, 1\]"),
        (
            GOOD.replace("every: month", "every: working_day"),
            r":4: cycle: closes_on and call_days apply to every: month",
        ),
        ("id: demo\nname: [\n", r":3: YAML syntax error"),
        ("- a list\n", r":1: \(top\): a profile is a mapping"),
        (GOOD.replace("id: demo", "id: other"), r":1: id: 'other' differs from the file's name"),
    ],
)
def test_a_bad_profile_names_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "demo", text)
    with pytest.raises(ConfigError, match=r"demo\.yaml" + message):
        load_profile(path)


def test_a_profile_not_there_lists_those_that_are(tmp_path: Path) -> None:
    _write(tmp_path, "demo", GOOD)
    with pytest.raises(ConfigError, match=r"no profile 'nanjing' in .* \(profiles: demo\)"):
        profile_named(tmp_path, "nanjing")
    assert profile_named(tmp_path, "demo").cycle.closes_on == 25
