"""Calling windows, China's statutory holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.campaign.calendar import CallingCalendar, ChineseWorkdays, EveryDay, parse_windows
from callcenter.campaign.config import CampaignSettings
from callcenter.kernel.errors import CalendarError, ConfigError

SH = ZoneInfo("Asia/Shanghai")


def cal(**overrides: object) -> CallingCalendar:
    return CallingCalendar.from_settings(CampaignSettings(**overrides))  # type: ignore[arg-type]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def test_inside_and_outside_the_default_windows() -> None:
    c = cal()
    assert c.allowed(at(2026, 11, 24, 9, 0))  # a Tuesday
    assert c.allowed(at(2026, 11, 24, 11, 29))
    assert not c.allowed(at(2026, 11, 24, 11, 30))
    assert c.why_not(at(2026, 11, 24, 12, 0)) == "不在回访时段（09:00-11:30、14:30-17:30）"
    assert c.allowed(at(2026, 11, 24, 17, 29, 59))
    assert not c.allowed(at(2026, 11, 24, 8, 59, 59))


def test_statutory_holiday_and_weekend_are_not_called() -> None:
    c = cal()
    assert c.why_not(at(2026, 10, 1, 10, 0)) == "法定节假日（国庆节）"
    assert c.why_not(at(2026, 2, 17, 10, 0)) == "法定节假日（春节）"
    assert c.why_not(at(2026, 11, 28, 10, 0)) == "周末"


def test_make_up_working_day_is_called() -> None:
    # Saturday 2026-10-10 is a 调休 working day for the National Day holiday
    assert date(2026, 10, 10).weekday() == 5
    assert cal().allowed(at(2026, 10, 10, 10, 0))


def test_next_allowed_skips_the_holiday_week() -> None:
    c = cal()
    # from the evening before National Day to the first morning after the holiday
    assert c.next_allowed(at(2026, 9, 30, 18, 0)) == at(2026, 10, 8, 9, 0)
    assert c.next_allowed(at(2026, 11, 24, 12, 0)) == at(2026, 11, 24, 14, 30)
    assert c.next_allowed(at(2026, 11, 27, 17, 45)) == at(2026, 11, 30, 9, 0)  # Fri → Mon
    inside = at(2026, 11, 24, 10, 15)
    assert c.next_allowed(inside) == inside


def test_the_time_zone_is_the_bureaus() -> None:
    c = cal()
    utc_0130 = datetime.fromisoformat("2026-11-24T01:30:00+00:00")  # 09:30 in Beijing
    assert c.allowed(utc_0130)


def test_year_without_data_is_an_error_not_a_guess() -> None:
    with pytest.raises(
        CalendarError,
        match=r"no holiday data for 2099-01-05: .* does not know 2099; add the State Council's "
        r"2099 holidays in a holiday file \(campaign\.calendar_files\).*extra_holidays",
    ):
        ChineseWorkdays().is_workday(date(2099, 1, 5))


def test_configured_days_fill_gaps_and_override() -> None:
    w = ChineseWorkdays(extra_holidays=[date(2026, 11, 24)], extra_workdays=[date(2099, 1, 5)])
    assert not w.is_workday(date(2026, 11, 24))
    assert w.is_workday(date(2099, 1, 5))
    c = cal(extra_holidays=[date(2026, 11, 24)])
    assert c.why_not(at(2026, 11, 24, 10, 0)) == "配置的休息日"


def test_every_day_calendar_and_whole_day_window() -> None:
    c = cal(calendar="every-day", windows=["00:00-24:00"])
    assert isinstance(c.workdays, EveryDay)
    assert c.allowed(at(2026, 10, 1, 3, 0))
    assert c.allowed(at(2026, 10, 1, 23, 59, 59))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["9-11"], "not HH:MM-HH:MM"),
        (["11:30-09:00"], "does not go forward"),
        (["09:00-12:00", "11:00-13:00"], "overlap"),
        ([], "no calling window"),
        (["09:60-10:00"], "does not go forward"),
    ],
)
def test_bad_windows_are_named(spec: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_windows(spec)


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        cal(timezone="Mars/Olympus")
