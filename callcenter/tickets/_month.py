"""Beijing months, as the lists and the 整改台账 are kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from callcenter.kernel.clock import BEIJING
from callcenter.kernel.errors import LedgerError

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The UTC instants that start and end (exclusive) the Beijing month ``YYYY-MM``."""
    match = _MONTH.fullmatch(month.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise LedgerError(f"month {month!r} is not YYYY-MM")
    year, mon = int(match[1]), int(match[2])
    start = datetime(year, mon, 1, tzinfo=BEIJING)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=BEIJING)
    return start.astimezone(UTC), end.astimezone(UTC)


def beijing_month(at: datetime) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m")
