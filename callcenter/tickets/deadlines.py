"""Deadlines of a ticket's stages, counted in working time (pure: no database).

济宁 第七条: the responsible window calls the applicant back the same day (within 24
hours) and submits its rectification report within 3 days; 信阳 四.4: an answer within 5
working days. A period is given as hours, calendar days or working days:

- ``24h`` / ``24 hours``: hours that fall on working days; days off do not count, so a
  ticket opened on Friday at 16:00 is due on Monday at 16:00, or on Saturday at 16:00
  when that Saturday is a make-up working day (调休);
- ``3d`` / ``3 days``: calendar days, to the minute;
- ``5wd`` / ``5 working days``: to the end of the fifth working day after the day the
  period starts (the starting day does not count, as with 行政许可法 第八十二条).

Working days come from the calling calendar (``campaign.calendar``): statutory holidays
off, 调休 on. Times are compared in the calendar's time zone. A day the calendar does not
know (a year not published yet) counts as a working day from Monday to Friday, with a
warning in the log: a ticket must open and be followed even then, and a guess of this
kind can only make a deadline fall early, never let one pass unseen.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.kernel.errors import CalendarError, ConfigError

log = logging.getLogger(__name__)

# far enough for any holiday season; a longer run of days off means a broken calendar
_HORIZON_DAYS = 400
_SPEC = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(h|hours?|d|days?|wd|working\s+days?|工作日|小时|天|日)\s*$"
)
_UNITS = {
    "h": "hours",
    "hour": "hours",
    "hours": "hours",
    "小时": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "天": "days",
    "日": "days",
    "wd": "working_days",
    "工作日": "working_days",
}


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...


class Unit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Period:
    amount: float
    unit: Unit

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        label = {Unit.HOURS: "小时", Unit.DAYS: "天", Unit.WORKING_DAYS: "个工作日"}[self.unit]
        return f"{amount}{label}"


def parse_period(spec: str, field: str = "period") -> Period:
    """``24h``, ``3 days``, ``5wd``, ``5 working days`` (or 24小时, 3天, 5工作日)."""
    m = _SPEC.match(spec.lower())
    if m is None:
        raise ConfigError(
            f"{field}: {spec!r} is not a period such as 24h, 3d or 5wd "
            "(hours, calendar days, working days)"
        )
    unit = _UNITS.get(re.sub(r"\s+", " ", m[2]), "working_days")
    amount = float(m[1])
    if amount <= 0 or (unit != "hours" and not amount.is_integer()):
        raise ConfigError(f"{field}: {spec!r} must be a positive number (whole days)")
    return Period(amount, Unit(unit))


class _Known:
    """The calendar's working days; Monday to Friday for the years it does not know."""

    def __init__(self, workdays: Workdays) -> None:
        self._workdays = workdays
        self.guessed_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        try:
            return self._workdays.is_workday(day)
        except CalendarError as exc:
            if day.year not in self.guessed_years:
                self.guessed_years.add(day.year)
                log.warning("ticket deadlines in %d counted Monday to Friday: %s", day.year, exc)
            return day.weekday() < 5


class WorkingTime:
    """Adds and measures periods on a calendar of working days in one time zone."""

    def __init__(self, workdays: Workdays, tz: ZoneInfo) -> None:
        self.workdays = _Known(workdays)
        self.tz = tz

    def due(self, start: datetime, period: Period) -> datetime:
        """When a period begun at ``start`` runs out."""
        local = _aware(start).astimezone(self.tz)
        if period.unit is Unit.DAYS:
            return local + timedelta(days=period.amount)
        if period.unit is Unit.WORKING_DAYS:
            day, left = local.date(), int(period.amount)
            while left:
                day = self._next_workday(day)
                left -= 1
            return self._midnight(day + timedelta(days=1))
        return self.add_hours(local, period.amount)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` of working days' time (negative: back in time)."""
        at = _aware(start).astimezone(self.tz)
        left = timedelta(hours=abs(hours))
        forward = hours >= 0
        for _ in range(_HORIZON_DAYS):
            day = at.date()
            if forward:
                edge = self._midnight(day + timedelta(days=1))
                span = edge - at if self.workdays.is_workday(day) else timedelta(0)
            else:
                edge = self._midnight(day)
                if at == edge:  # at midnight, the time to spend is the day before's
                    edge, day = self._midnight(day - timedelta(days=1)), day - timedelta(days=1)
                span = at - edge if self.workdays.is_workday(day) else timedelta(0)
            if left <= span:
                return at + left if forward else at - left
            left -= span
            at = edge
        raise ConfigError(f"no working day within {_HORIZON_DAYS} days of {start:%Y-%m-%d}")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Hours of working days' time from ``start`` to ``end`` (negative if before)."""
        if end < start:
            return -self.working_hours_between(end, start)
        at, total = _aware(start).astimezone(self.tz), timedelta(0)
        end = _aware(end).astimezone(self.tz)
        while at < end:
            edge = min(self._midnight(at.date() + timedelta(days=1)), end)
            if self.workdays.is_workday(at.date()):
                total += edge - at
            at = edge
        return total.total_seconds() / 3600

    def _next_workday(self, day: date) -> date:
        for offset in range(1, _HORIZON_DAYS):
            candidate = day + timedelta(days=offset)
            if self.workdays.is_workday(candidate):
                return candidate
        raise ConfigError(f"no working day within {_HORIZON_DAYS} days of {day:%Y-%m-%d}")

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.tz)


class Urgency(StrEnum):
    """Where a ticket stands against its current deadline, as the lists show it."""

    NONE = "none"  # no deadline running (closed, with supervision, waiting for a re-visit)
    ON_TIME = "on_time"
    WARNING = "warning"  # 预警: due within the warning time
    OVERDUE = "overdue"  # 超期

    @property
    def label(self) -> str:
        return {"none": "", "on_time": "正常", "warning": "预警", "overdue": "超期"}[self.value]


def urgency(clock: WorkingTime, now: datetime, due: datetime | None, warn_hours: float) -> Urgency:
    """OVERDUE once ``due`` has passed, WARNING within ``warn_hours`` of working time of
    it, else ON_TIME; NONE without a deadline."""
    if due is None:
        return Urgency.NONE
    if now >= due:
        return Urgency.OVERDUE
    if now >= clock.add_hours(due, -warn_hours):
        return Urgency.WARNING
    return Urgency.ON_TIME


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime")
    return at
