"""Cycle arithmetic of the profiles: which cases a campaign covers, and on which days
its calls are placed. Pure date arithmetic; working days come from a ``Workdays``
(``callcenter.campaign.calendar``: statutory holidays off, 调休 make-up days on).

信阳 (001): each unit reports on the 25th, before the end of the working day, the
enterprises it served "from the 25th of last month to the 25th of this month". A case
completed on the 25th is in that day's list; the 25th of the month before was in the
previous list. So the cycle closing on the 25th of M-1 is 26th of M-2 up to and
including the 25th of M-1, stored as the half-open [26th of M-2, 26th of M-1); its
calls are placed in 次月上旬, the 1st to the 10th of M.

烟台 (004): on each working day D the clients of the previous working day P are called.
The campaign of D covers [P, D): P itself, and any day off between P and D, so a client
served at a weekend opening is not lost either.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from callcenter.kernel.errors import CalendarError
from callcenter.profiles.model import Cycle

# longer than any run of days off the State Council has given (春节 with its weekends)
_MAX_DAYS_OFF = 20


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def day_off_reason(self, day: date) -> str: ...


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``first``'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _closing(month_first: date, closes_on: int | None) -> date:
    """The day after the cycle of ``month_first``'s month closes."""
    if closes_on is None:
        return add_months(month_first, 1)
    return month_first.replace(day=closes_on) + timedelta(days=1)


def monthly_period(cycle: Cycle, calling_month: date) -> tuple[date, date]:
    """[start, end) of the completion dates the campaign of ``calling_month`` covers."""
    first = calling_month.replace(day=1)
    return (
        _closing(add_months(first, -2), cycle.closes_on),
        _closing(add_months(first, -1), cycle.closes_on),
    )


def calling_days(cycle: Cycle, calling_month: date) -> tuple[date, date]:
    """The first and last day (both included) calls of ``calling_month`` may be placed."""
    first = calling_month.replace(day=1)
    if cycle.call_days is None:
        return first, add_months(first, 1) - timedelta(days=1)
    return first.replace(day=cycle.call_days[0]), first.replace(day=cycle.call_days[1])


def previous_workday(day: date, workdays: Workdays) -> date:
    """The last working day before ``day``; CalendarError if the calendar cannot tell."""
    for back in range(1, _MAX_DAYS_OFF + 1):
        candidate = day - timedelta(days=back)
        if workdays.is_workday(candidate):
            return candidate
    raise CalendarError(f"no working day in the {_MAX_DAYS_OFF} days before {day.isoformat()}")


def daily_period(day: date, workdays: Workdays) -> tuple[date, date]:
    """[start, end) of the service dates the campaign of working day ``day`` covers."""
    return previous_workday(day, workdays), day


class CallDays:
    """A calendar's working days, restricted to the calling days of each month
    (信阳: 1st to 10th); the dialler places no call on another day."""

    def __init__(self, workdays: Workdays, first: int, last: int) -> None:
        self.workdays = workdays
        self.first, self.last = first, last

    def is_workday(self, day: date) -> bool:
        return self.first <= day.day <= self.last and self.workdays.is_workday(day)

    def day_off_reason(self, day: date) -> str:
        if not self.first <= day.day <= self.last:
            return f"不在回访日期（每月{self.first}日至{self.last}日）"
        return self.workdays.day_off_reason(day)
