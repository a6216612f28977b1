"""The periods a report covers."""

from __future__ import annotations

from datetime import date

import pytest

from callcenter.kernel.errors import ReportError
from callcenter.reports.period import parse_period


def test_a_month_a_quarter_and_a_range() -> None:
    m = parse_period("2026-11")
    assert (m.first, m.last, m.title) == (date(2026, 11, 1), date(2026, 11, 30), "2026年11月")
    q = parse_period("2026-q4")
    assert (q.first, q.last, q.label, q.title) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        "2026-Q4",
        "2026年第四季度",
    )
    assert [p.label for p in q.months()] == ["2026-10", "2026-11", "2026-12"]
    r = parse_period("2026-10-15..2026-11-10")
    assert [p.label for p in r.months()] == ["2026-10-15..2026-10-31", "2026-11-01..2026-11-10"]


def test_a_months_trend_runs_six_months_to_it_across_the_year() -> None:
    assert [p.label for p in parse_period("2027-02").trailing(6)] == [
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-Q5", "2026-11-30..2026-11-01", "2025-01-01..2026-12-31", "11月"]
)
def test_what_is_not_a_period_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(ReportError, match=r"2026-Q4|ends before|longer than"):
        parse_period(text)
