"""When calls may be placed: calling windows on working days, in the bureau's time zone.

Working days follow China's statutory holidays and make-up working days (调休) from the
``chinesecalendar`` package, which knows each year once the State Council has published
it, and from holiday files (:mod:`.holidays`, ``campaign.calendar_files``) that add a
year it does not know yet, or replace one. A day neither knows raises ``CalendarError``
instead of guessing, since a guess could mean calling people during the Spring
Festival: planning warns of such days, and the dialler pauses its campaigns on them.
``extra_holidays`` and ``extra_workdays`` mark single days (local days off) over both.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.holidays import HolidayFiles
from callcenter.kernel.errors import CalendarError, ConfigError
from callcenter.profiles.cycles import CallDays

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# how far ahead to look for the next allowed moment before calling the calendar broken
_HORIZON_DAYS = 400


@dataclass(frozen=True)
class Window:
    """A daily calling window [start, end), in minutes after local midnight."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(specs: Iterable[str]) -> list[Window]:
    """``["09:00-11:30", "14:30-17:30"]`` → windows, sorted; ConfigError names a bad one."""
    windows = []
    for spec in specs:
        m = _WINDOW.match(spec)
        if m is None:
            raise ConfigError(f"calling window {spec!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or not 0 <= start < end <= 24 * 60:
            raise ConfigError(f"calling window {spec!r} does not go forward within one day")
        windows.append(Window(start, end))
    windows.sort(key=lambda w: w.start)
    for a, b in itertools.pairwise(windows):
        if b.start < a.end:
            raise ConfigError(f"calling windows {a} and {b} overlap")
    if not windows:
        raise ConfigError("no calling window configured (campaign.windows is empty)")
    return windows


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def day_off_reason(self, day: date) -> str: ...


class ChineseWorkdays:
    """Working days of mainland China: weekends and statutory holidays off, 调休 on."""

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        files: HolidayFiles | None = None,
    ):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.files = files or HolidayFiles()

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        year = self.files.lookup(day)
        if year is not None:
            return year.is_workday(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarError(
                f"no holiday data for {day.isoformat()}: chinesecalendar "
                f"{chinese_calendar.__version__} does not know {day.year}; add the State "
                f"Council's {day.year} holidays in a holiday file (campaign.calendar_files), "
                "or list days in campaign.extra_holidays / campaign.extra_workdays"
            ) from None

    def day_off_reason(self, day: date) -> str:
        if day in self.extra_holidays:
            return "配置的休息日"
        year = self.files.lookup(day)
        if year is not None:
            name = year.holidays.get(day)
            return f"法定节假日（{name}）" if name else "周末"
        _, name = chinese_calendar.get_holiday_detail(day)
        if name:
            return f"法定节假日（{_HOLIDAY_NAMES.get(name, name)}）"
        return "周末"


class EveryDay:
    """No calendar: every day is a working day (for tests and 24/7 hotlines)."""

    def is_workday(self, day: date) -> bool:
        return True

    def day_off_reason(self, day: date) -> str:
        return ""


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CallingCalendar:
    def __init__(self, windows: list[Window], tz: ZoneInfo, workdays: Workdays) -> None:
        self.windows = windows
        self.tz = tz
        self.workdays = workdays

    @classmethod
    def from_settings(
        cls, settings: CampaignSettings, call_days: tuple[int, int] | None = None
    ) -> CallingCalendar:
        """``call_days``: the first and last day of each month calls may be placed on
        (a profile's, 信阳: 1st to 10th); None: every working day."""
        try:
            tz = ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = settings.timezone
            raise ConfigError(f"campaign.timezone {zone!r} is not a known time zone") from None
        workdays: Workdays = (
            EveryDay()
            if settings.calendar == "every-day"
            else ChineseWorkdays(
                settings.extra_holidays,
                settings.extra_workdays,
                HolidayFiles(settings.calendar_files),
            )
        )
        if call_days is not None:
            workdays = CallDays(workdays, *call_days)
        return cls(parse_windows(settings.windows), tz, workdays)

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise CalendarError(f"{at.isoformat()} has no time zone; pass an aware datetime")
        return at.astimezone(self.tz)

    def why_not(self, at: datetime) -> str | None:
        """None if a call may be placed at ``at``; else the reason, in Chinese."""
        local = self.local(at)
        if not self.workdays.is_workday(local.date()):
            return self.workdays.day_off_reason(local.date()) or "非工作日"
        minute = local.hour * 60 + local.minute + local.second / 60
        if any(w.start <= minute < w.end for w in self.windows):
            return None
        return "不在回访时段（" + "、".join(str(w) for w in self.windows) + "）"

    def allowed(self, at: datetime) -> bool:
        return self.why_not(at) is None

    def unknown_days(self, start: date, end: date) -> list[date]:
        """The days of [start, end) the calendar cannot tell working or not."""
        out = []
        for n in range((end - start).days):
            day = start + timedelta(days=n)
            try:
                self.workdays.is_workday(day)
            except CalendarError:
                out.append(day)
        return out

    def next_allowed(self, at: datetime) -> datetime:
        """The earliest moment at or after ``at`` when a call may be placed."""
        local = self.local(at)
        for offset in range(_HORIZON_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self.workdays.is_workday(day):
                continue
            midnight = datetime.combine(day, time(), self.tz)
            for w in self.windows:
                start = midnight + timedelta(minutes=w.start)
                end = midnight + timedelta(minutes=w.end)
                if local < end:
                    return max(local, start)
        raise CalendarError(
            f"no calling window on a working day within {_HORIZON_DAYS} days of {local:%Y-%m-%d}"
        )

    def day_bounds(self, at: datetime) -> tuple[datetime, datetime]:
        """Start and end of the local day containing ``at`` (for daily caps)."""
        midnight = datetime.combine(self.local(at).date(), time(), self.tz)
        return midnight, midnight + timedelta(days=1)
