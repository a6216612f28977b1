"""The period a report covers: a month (2026-11), a quarter (2026-Q4) or any range of
Beijing dates (2026-10-01..2026-12-31), both ends included. Pure: no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from callcenter.kernel.errors import ReportError

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
# a report over years of calls is not a 通报; this also bounds the per-month queries
MAX_DAYS = 366
FORMS = "2026-11, 2026-Q4 or 2026-10-01..2026-12-31"


@dataclass(frozen=True)
class Period:
    first: date  # the first Beijing day covered
    last: date  # the last Beijing day covered, included
    label: str  # as it was written, normalised: 2026-11, 2026-Q4, 2026-10-01..2026-12-31

    @property
    def title(self) -> str:
        """How a 通报 names the period: 2026年11月, 2026年第四季度, or the two dates."""
        if _MONTH.fullmatch(self.label):
            return f"{self.first.year}年{self.first.month}月"
        if _QUARTER.fullmatch(self.label):
            return f"{self.first.year}年第{'一二三四'[(self.first.month - 1) // 3]}季度"
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        pieces = []
        start = self.first
        while start <= self.last:
            following = _month_start(start.year, start.month + 1)
            end = min(self.last, following - timedelta(days=1))
            label = f"{start.year:04d}-{start.month:02d}"
            whole = start.day == 1 and end == following - timedelta(days=1)
            pieces.append(Period(start, end, label if whole else f"{start}..{end}"))
            start = following
        return pieces

    def trailing(self, count: int) -> list[Period]:
        """This month and the ``count - 1`` before it (for a month), or this period's
        months: the points of a monthly trend."""
        if not _MONTH.fullmatch(self.label):
            return self.months()
        points = [self]
        for _ in range(count - 1):
            before = points[0].first - timedelta(days=1)
            points.insert(0, parse_period(f"{before.year:04d}-{before.month:02d}"))
        return points


def parse_period(text: str) -> Period:
    """``text`` as a Period; ReportError saying which forms are accepted otherwise."""
    text = text.strip()
    try:
        if m := _MONTH.fullmatch(text):
            year, month = int(m[1]), int(m[2])
            first = date(year, month, 1)
            return Period(first, _month_start(year, month + 1) - timedelta(days=1), text)
        if m := _QUARTER.fullmatch(text):
            year, quarter = int(m[1]), int(m[2])
            first = date(year, 3 * quarter - 2, 1)
            last = _month_start(year, 3 * quarter + 1) - timedelta(days=1)
            return Period(first, last, f"{year}-Q{quarter}")
        if m := _RANGE.fullmatch(text):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise ReportError(f"period {text!r} ends before it starts")
            if (last - first).days >= MAX_DAYS:
                raise ReportError(f"period {text!r} is longer than {MAX_DAYS} days")
            return Period(first, last, f"{first}..{last}")
    except ValueError:
        pass
    raise ReportError(f"period {text!r} is not a month, quarter or date range ({FORMS})")


def _month_start(year: int, month: int) -> date:
    """The first day of ``month`` (which may be 13: January of the next year)."""
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
