"""A 台账 month as a form sends it (YYYY-MM), checked before any query uses it."""

from __future__ import annotations

from callcenter.kernel.errors import LedgerError
from callcenter.ledger import taizhang as tz


def is_month(text: str) -> bool:
    """Whether ``text`` names a month the 台账 can hold.

    ``month_bounds`` turns the Beijing month into UTC instants; at either end of the
    calendar (0000-01, 9999-12) there is no such instant, which Python reports as
    ValueError or OverflowError rather than a bad month.
    """
    try:
        tz.month_bounds(text)
    except (LedgerError, ValueError, OverflowError):
        return False
    return True
