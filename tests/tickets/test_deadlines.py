"""Deadlines in working time on the real 2026 calendar: a weekend, the Spring Festival
holiday and its make-up Saturdays (调休)."""

from __future__ import annotations

from datetime import date

import pytest

from callcenter.kernel.errors import ConfigError
from callcenter.tickets.deadlines import Period, Unit, Urgency, WorkingTime, parse_period, urgency
from tests.tickets.fixtures import beijing, calendar


@pytest.fixture
def time() -> WorkingTime:
    cal = calendar()
    return WorkingTime(cal.workdays, cal.tz)


def test_the_calendar_of_the_tests_is_the_one_described() -> None:
    workdays = calendar().workdays
    assert workdays.is_workday(date(2026, 2, 14))  # 调休 Saturday
    assert not workdays.is_workday(date(2026, 2, 16))  # 春节
    assert not workdays.is_workday(date(2026, 2, 7))  # an ordinary Saturday


def test_24_hours_skip_a_weekend(time: WorkingTime) -> None:
    # Friday 6 February 10:00: 14 hours on Friday, none on Saturday or Sunday, 10 on Monday
    assert time.due(beijing(2026, 2, 6, 10), parse_period("24h")) == beijing(2026, 2, 9, 10)


def test_24_hours_run_on_a_make_up_saturday(time: WorkingTime) -> None:
    # Friday 13 February 16:00: 8 hours on Friday, 16 on the 调休 Saturday 14 February
    assert time.due(beijing(2026, 2, 13, 16), parse_period("24h")) == beijing(2026, 2, 14, 16)


def test_hours_skip_the_holiday(time: WorkingTime) -> None:
    # Saturday 14 February 20:00: 4 hours that day, then the holiday until Tuesday 24
    assert time.due(beijing(2026, 2, 14, 20), parse_period("24 hours")) == beijing(2026, 2, 24, 20)


def test_three_working_days_across_the_holiday(time: WorkingTime) -> None:
    # from Friday 13 February: Saturday 14 (调休), Tuesday 24, Wednesday 25; due at its end
    assert time.due(beijing(2026, 2, 13, 16), parse_period("3wd")) == beijing(2026, 2, 26, 0)


def test_five_working_days_of_xinyang(time: WorkingTime) -> None:
    # from Friday 6 February: 9, 10, 11, 12, 13 February
    assert time.due(beijing(2026, 2, 6, 9), parse_period("5 working days")) == beijing(2026, 2, 14)


def test_calendar_days_count_every_day(time: WorkingTime) -> None:
    assert time.due(beijing(2026, 2, 13, 16), parse_period("3d")) == beijing(2026, 2, 16, 16)


def test_working_hours_back_from_a_deadline(time: WorkingTime) -> None:
    # 8 working hours before Tuesday 24 February 04:00: 4 that morning, then back over
    # the holiday to the 调休 Saturday 14 February 20:00
    assert time.add_hours(beijing(2026, 2, 24, 4), -8) == beijing(2026, 2, 14, 20)
    assert time.add_hours(beijing(2026, 2, 9, 0), -8) == beijing(2026, 2, 6, 16)
    start, end = beijing(2026, 2, 13, 16), beijing(2026, 2, 24, 20)
    assert time.working_hours_between(start, end) == 8 + 24 + 20


def test_urgency_on_time_warning_overdue(time: WorkingTime) -> None:
    due = beijing(2026, 2, 24, 10)
    assert urgency(time, beijing(2026, 2, 14, 9), due, 8) is Urgency.ON_TIME
    # 8 working hours before: Tuesday 02:00, so the holiday days stay quiet
    assert urgency(time, beijing(2026, 2, 20, 12), due, 8) is Urgency.ON_TIME
    assert urgency(time, beijing(2026, 2, 24, 2), due, 8) is Urgency.WARNING
    assert urgency(time, beijing(2026, 2, 24, 10), due, 8) is Urgency.OVERDUE
    assert urgency(time, beijing(2026, 2, 24, 10), None, 8) is Urgency.NONE


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("24h", Period(24, Unit.HOURS)),
        ("3 days", Period(3, Unit.DAYS)),
        ("5wd", Period(5, Unit.WORKING_DAYS)),
        ("5 working days", Period(5, Unit.WORKING_DAYS)),
        ("5工作日", Period(5, Unit.WORKING_DAYS)),
        ("1.5h", Period(1.5, Unit.HOURS)),
    ],
)
def test_periods_are_read(spec: str, expected: Period) -> None:
    assert parse_period(spec) == expected


@pytest.mark.parametrize("spec", ["", "24", "three days", "-1d", "1.5wd", "0d", "5 weeks"])
def test_bad_periods_are_refused(spec: str) -> None:
    with pytest.raises(ConfigError, match=r"tickets\.report"):
        parse_period(spec, "tickets.report")


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday(
    time: WorkingTime, caplog: pytest.LogCaptureFixture
) -> None:
    # Friday 9 January 2099: Saturday and Sunday off, nothing else guessed
    assert time.due(beijing(2099, 1, 9, 10), parse_period("24h")) == beijing(2099, 1, 12, 10)
    assert "ticket deadlines in 2099 counted Monday to Friday" in caplog.text
