"""Holiday files: a year the State Council has published and chinesecalendar has not.

The year used here, 2099, is made up (tests/fixtures/calendars/2099.yaml says so): the
tests must not depend on any real year's dates, nor on which years the installed
chinesecalendar knows.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.campaign.calendar import CallingCalendar, ChineseWorkdays
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.holidays import HolidayFiles, load_year_file
from callcenter.kernel.errors import CalendarError, ConfigError

SH = ZoneInfo("Asia/Shanghai")
MADE_UP_2099 = Path(__file__).resolve().parents[1] / "fixtures" / "calendars" / "2099.yaml"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def cal(*files: Path, **overrides: object) -> CallingCalendar:
    settings = CampaignSettings(calendar_files=list(files), **overrides)  # type: ignore[arg-type]
    return CallingCalendar.from_settings(settings)


def test_the_made_up_year_loads() -> None:
    y = load_year_file(MADE_UP_2099)
    assert y.year == 2099
    assert y.holidays[date(2099, 1, 21)] == "春节" and y.holidays[date(2098, 12, 31)] == "元旦"
    assert len(y.holidays) == 3 + 7 + 1 + 5 + 8
    assert date(2098, 12, 27) in y.workdays and len(y.workdays) == 5


def test_a_year_file_fills_what_chinesecalendar_does_not_know() -> None:
    with pytest.raises(CalendarError):
        cal().why_not(at(2099, 3, 2, 10, 0))
    c = cal(MADE_UP_2099)
    assert c.allowed(at(2099, 3, 2, 10, 0))  # a Monday
    assert c.why_not(at(2099, 3, 1, 10, 0)) == "周末"
    assert c.why_not(at(2099, 1, 23, 10, 0)) == "法定节假日（春节）"
    assert c.allowed(at(2099, 1, 18, 10, 0))  # a Sunday, 调休上班
    # days of the December before that the notice lists, and only those
    assert c.why_not(at(2098, 12, 31, 10, 0)) == "法定节假日（元旦）"
    assert c.allowed(at(2098, 12, 27, 10, 0))  # a Saturday, 调休上班
    with pytest.raises(CalendarError, match="2098-12-30"):
        c.why_not(at(2098, 12, 30, 10, 0))
    # from the evening before the made-up National Day week to the first morning after
    assert c.next_allowed(at(2099, 9, 30, 18, 0)) == at(2099, 10, 9, 9, 0)
    assert c.unknown_days(date(2099, 1, 1), date(2099, 3, 1)) == []


def test_a_year_file_replaces_chinesecalendar_for_its_year(tmp_path: Path) -> None:
    f = tmp_path / "2026.yaml"
    f.write_text(
        "year: 2026\nholidays:\n  - {name: 测试日, from: 2026-11-24}\nworkdays: []\n",
        encoding="utf-8",
    )
    c = cal(f)
    assert c.why_not(at(2026, 11, 24, 10, 0)) == "法定节假日（测试日）"
    assert c.allowed(at(2026, 10, 1, 10, 0))  # the file gives no National Day
    # a configured single day still wins over the file
    assert cal(f, extra_workdays=[date(2026, 11, 24)]).allowed(at(2026, 11, 24, 10, 0))


def test_unknown_days_of_a_month_are_listed() -> None:
    assert cal().unknown_days(date(2099, 2, 26), date(2099, 3, 2)) == [
        date(2099, 2, 26),
        date(2099, 2, 27),
        date(2099, 2, 28),
        date(2099, 3, 1),
    ]
    assert cal().unknown_days(date(2026, 11, 1), date(2026, 12, 1)) == []


def test_a_year_added_to_a_directory_is_read_when_first_needed(tmp_path: Path) -> None:
    files = HolidayFiles([tmp_path])
    workdays = ChineseWorkdays(files=files)
    with pytest.raises(CalendarError):
        workdays.is_workday(date(2099, 3, 2))
    (tmp_path / "2099.yaml").write_bytes(MADE_UP_2099.read_bytes())
    assert workdays.is_workday(date(2099, 3, 2))
    assert not workdays.is_workday(date(2099, 1, 21))
    # a file being written wrong leaves the day unknown, saying why
    bad = tmp_path / "2100.yaml"
    bad.write_text("year: 2100\nholidays: []\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r"2100-03-01: the holiday files cannot be read: "):
        workdays.is_workday(date(2100, 3, 1))


def test_two_files_of_one_year_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "again.yaml"
    copy.write_bytes(MADE_UP_2099.read_bytes())
    with pytest.raises(ConfigError, match=rf"{copy}: year 2099 is also given by .*2099.yaml"):
        HolidayFiles([MADE_UP_2099, copy])


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yaml: no such holiday file"):
        cal(tmp_path / "nope.yaml")


GOOD_HEAD = "year: 2099\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: [2099\n", ":2: YAML syntax error: "),
        ("- 1\n", ":1: (top): a holiday file is a mapping with year, holidays, workdays"),
        (GOOD_HEAD + "holidays: []\n", ":1: workdays: missing"),
        (GOOD_HEAD + "holidays: []\nworkdays: []\nnote: x\n", ":4: note: unknown field"),
        ("year: 99\nholidays: []\nworkdays: []\n", ":1: year: 99 is not a year"),
        ("year: '2099'\nholidays: []\nworkdays: []\n", ":1: year: '2099' is not a year"),
        (
            GOOD_HEAD
            + "holidays:\n  - {name: 春节, from: 2099-01-21, to: 2099-01-20}\nworkdays: []\n",
            ":3: holidays[0].to: 2099-01-20 is before from 2099-01-21",
        ),
        (
            GOOD_HEAD
            + "holidays:\n  - {name: 春节, from: 2099-01-01, to: 2099-02-20}\nworkdays: []\n",
            ":3: holidays[0].to: more than 20 days off",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2100-01-21}\nworkdays: []\n",
            ":3: holidays[0].from: 2100-01-21 is outside 2099 (and its December before)",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2099-1-21}\nworkdays: []\n",
            ":3: holidays[0].from: '2099-1-21' is not a date YYYY-MM-DD",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: '', from: 2099-01-21}\nworkdays: []\n",
            ":3: holidays[0].name: is not a holiday's name",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {from: 2099-01-21}\nworkdays: []\n",
            ":3: holidays[0].name: missing",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2099-01-21, until: 2099-01-22}\n"
            "workdays: []\n",
            ":3: holidays[0].until: unknown; use from, name, to",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2099-01-21, to: 2099-01-23}\n"
            "  - {name: 另一个, from: 2099-01-23}\nworkdays: []\n",
            ":4: holidays[1]: 2099-01-23 is also a day of 春节",
        ),
        (
            GOOD_HEAD + "holidays: []\nworkdays:\n  - 2099-01-19\n",
            ":4: workdays[0]: 2099-01-19 is a Monday; 调休上班 days fall at weekends",
        ),
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2099-01-17, to: 2099-01-18}\n"
            "workdays: [2099-01-18]\n",
            ":4: workdays[0]: 2099-01-18 is also a day of 春节",
        ),
        (
            GOOD_HEAD + "holidays: []\nworkdays: [2099-01-18 09:00:00]\n",
            ":3: workdays[0]: 2099-01-18 09:00:00 has a time; give the day, YYYY-MM-DD",
        ),
        (GOOD_HEAD + "holidays: {}\nworkdays: []\n", ":2: holidays: is not a list"),
        # the YAML library builds dates itself, and raises ValueError for one that is not
        (
            GOOD_HEAD + "holidays:\n  - {name: 春节, from: 2099-02-30}\nworkdays: []\n",
            ": a YAML value cannot be read: ValueError",
        ),
        ("year: 2099\x00\n", ":1: YAML syntax error: "),
        (
            "year: &a 2099\nholidays: &a []\nworkdays: []\n",
            ":2: anchor &a is given twice; give each anchor once",
        ),
    ],
)
def test_a_wrong_file_is_refused_at_its_line_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    f = tmp_path / "year.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_year_file(f)
    assert str(err.value).startswith(f"{f}{message}"), str(err.value)
