"""Cycle arithmetic of the profiles: 信阳's 25th-to-25th cycle and 次月上旬 calling days,
烟台's previous working day (weekends, holidays, 调休 make-up days)."""

from __future__ import annotations

from datetime import date

import pytest

from callcenter.campaign.calendar import ChineseWorkdays
from callcenter.kernel.errors import CalendarError
from callcenter.profiles.cycles import (
    CallDays,
    calling_days,
    daily_period,
    monthly_period,
    previous_workday,
)
from callcenter.profiles.model import Cycle

XINYANG = Cycle(every="month", closes_on=25, call_days=(1, 10))
YIMA = Cycle(every="month")
CN = ChineseWorkdays()


def test_xinyang_cycle_closes_on_the_25th_inclusive() -> None:
    # December's calls cover the cycle reported on 25 November: 26 Oct to 25 Nov
    assert monthly_period(XINYANG, date(2026, 12, 1)) == (date(2026, 10, 26), date(2026, 11, 26))
    # the next cycle starts the day after: no day is in two cycles, none in neither
    assert monthly_period(XINYANG, date(2027, 1, 1)) == (date(2026, 11, 26), date(2026, 12, 26))


def test_xinyang_cycle_across_the_year_end() -> None:
    assert monthly_period(XINYANG, date(2027, 1, 1)) == (date(2026, 11, 26), date(2026, 12, 26))
    assert monthly_period(XINYANG, date(2027, 2, 1)) == (date(2026, 12, 26), date(2027, 1, 26))
    # a calling month given by any of its days
    assert monthly_period(XINYANG, date(2027, 2, 17)) == (date(2026, 12, 26), date(2027, 1, 26))


def test_xinyang_cycle_across_a_short_february() -> None:
    assert monthly_period(XINYANG, date(2026, 3, 1)) == (date(2026, 1, 26), date(2026, 2, 26))
    assert monthly_period(XINYANG, date(2026, 4, 1)) == (date(2026, 2, 26), date(2026, 3, 26))


def test_yima_covers_the_previous_calendar_month() -> None:
    assert monthly_period(YIMA, date(2026, 11, 1)) == (date(2026, 10, 1), date(2026, 11, 1))
    assert monthly_period(YIMA, date(2027, 1, 1)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert calling_days(YIMA, date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_xinyang_calls_in_the_first_ten_days_of_the_next_month() -> None:
    assert calling_days(XINYANG, date(2026, 12, 1)) == (date(2026, 12, 1), date(2026, 12, 10))
    days = CallDays(CN, 1, 10)
    assert days.is_workday(date(2026, 12, 1))  # a Tuesday
    assert days.is_workday(date(2026, 12, 10))
    assert not days.is_workday(date(2026, 12, 11))  # a Friday, but past 上旬
    assert days.day_off_reason(date(2026, 12, 11)) == "不在回访日期（每月1日至10日）"
    assert not days.is_workday(date(2026, 12, 5))  # a Saturday inside 上旬
    assert days.day_off_reason(date(2026, 12, 5)) == "周末"
    assert not days.is_workday(date(2026, 10, 2))  # 国庆节
    assert days.day_off_reason(date(2026, 10, 2)) == "法定节假日（国庆节）"


def test_yantai_previous_working_day_across_a_weekend() -> None:
    # Monday 2025-12-29 calls Friday 2025-12-26's clients (and any of the weekend)
    assert previous_workday(date(2025, 12, 29), CN) == date(2025, 12, 26)
    assert daily_period(date(2025, 12, 29), CN) == (date(2025, 12, 26), date(2025, 12, 29))
    assert daily_period(date(2025, 12, 30), CN) == (date(2025, 12, 29), date(2025, 12, 30))


def test_yantai_previous_working_day_across_a_holiday() -> None:
    # 国庆 2025: 1-8 October off; Thursday the 9th calls Tuesday 30 September's clients
    assert daily_period(date(2025, 10, 9), CN) == (date(2025, 9, 30), date(2025, 10, 9))
    # 元旦 2026: 1-3 January off, Sunday the 4th worked (调休)
    assert previous_workday(date(2026, 1, 4), CN) == date(2025, 12, 31)


def test_yantai_honours_make_up_saturdays() -> None:
    # Saturday 2025-10-11 is a 调休 working day: it is called, for Friday's clients...
    assert CN.is_workday(date(2025, 10, 11))
    assert daily_period(date(2025, 10, 11), CN) == (date(2025, 10, 10), date(2025, 10, 11))
    # ...and Monday the 13th calls the Saturday's clients, not Friday's again
    assert daily_period(date(2025, 10, 13), CN) == (date(2025, 10, 11), date(2025, 10, 13))
    # Sunday 2025-09-28 worked: Monday the 29th calls its clients
    assert previous_workday(date(2025, 9, 29), CN) == date(2025, 9, 28)


def test_a_calendar_that_cannot_tell_is_not_guessed() -> None:
    class Never:
        def is_workday(self, day: date) -> bool:
            return False

        def day_off_reason(self, day: date) -> str:
            return ""

    with pytest.raises(CalendarError, match="no working day in the 20 days before 2026-12-02"):
        previous_workday(date(2026, 12, 2), Never())
