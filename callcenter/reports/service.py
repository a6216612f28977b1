"""The three reports, put together from ``store``'s counts and ``scoring``'s arithmetic:
the 考核 (济宁 第十五条 and 第十六条), the 义马 monthly 通报, and the 烟台 grades.

A 局's row counts the 局 and its 所 and 窗口 together, as the 台账's unit filter does; a
所's or 窗口's row counts it alone.
"""

from __future__ import annotations

from datetime import date, datetime

from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import ReportError
from callcenter.reports.model import (
    GradeReport,
    GradeRow,
    Kpi,
    Monthly,
    Rectification,
    UnitMonth,
)
from callcenter.reports.period import Period, parse_period
from callcenter.reports.scoring import (
    Counts,
    Deduction,
    Grades,
    article15,
    article16,
    quota,
    ranked,
)
from callcenter.reports.store import ReportStore, UnitRow

TREND_MONTHS = 6


class ReportService:
    def __init__(self, store: ReportStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # -- the reports -----------------------------------------------------------------

    def kpi(self, period: Period, unit: str | None = None) -> Kpi:
        return self._kpi(period, unit, self.store.case_facts(period))

    def trend(self, period: Period, unit: str | None = None) -> list[tuple[Period, Kpi]]:
        """第十五条 month by month: the period's months, or the six to a month's end."""
        months = period.trailing(TREND_MONTHS)
        facts = self.store.case_facts_of(months)
        return [(p, self._kpi(p, unit, f)) for p, f in zip(months, facts, strict=True)]

    def _kpi(self, period: Period, unit: str | None, cases: dict[int, tuple[int, ...]]) -> Kpi:
        units = self._units(unit)
        rounds = self.store.round_facts(period)
        deductions = self.store.deductions(period)

        def counts(group: list[UnitRow]) -> Counts:
            total = Counts()
            for u in group:
                total += _counts(cases.get(u.id), rounds.get(u.id))
            return total

        tops = [u for u in units.rows if u.parent_id is None or u.name == unit]
        scores = [article15(u.name, counts(units.group(u)), deductions.get(u.id, [])) for u in tops]
        windows = [article16(u.name, counts([u])) for u in units.rows if u.kind == "window"]
        return Kpi(period, ranked(scores), sorted(windows, key=lambda w: -w.score))

    def monthly(self, period: Period, unit: str | None = None) -> Monthly:
        units = self._units(unit)
        cases, calls = self.store.case_facts(period), self.store.call_facts(period)
        bad = self.store.bad_facts(period)
        months = len(period.months())
        rows = []
        for u in units.rows:
            group = units.group(u)
            placed, completed = _summed(calls, group, 2)
            _, _, _, complaints, revisited = _summed(cases, group, 5)
            opened, closed = _summed(bad, group, 2)
            rows.append(
                UnitMonth(
                    u.name,
                    u.kind,
                    quota(u.kind, months, placed, completed),
                    complaints,
                    revisited,
                    opened,
                    closed,
                )
            )
        scope = None if unit is None else [u.id for u in units.rows]
        return Monthly(period, unit, rows, self.store.distribution(period, scope))

    def grades(self, period: Period, unit: str | None = None) -> GradeReport:
        units = self._units(unit)
        rows: list[GradeRow] = []
        months = period.months()
        per_month = list(zip(months, self.store.grade_facts(months), strict=True))
        for u in units.rows:
            quarter: list[GradeRow] = []
            for month, facts in per_month:
                good, fair, poor = _summed(facts, units.group(u), 3)
                grades = Grades((good, fair, poor))
                row = GradeRow(u.name, month, False, grades)
                if quarter and _quarter(quarter[0].period.first) != _quarter(month.first):
                    rows += _with_total(quarter)
                    quarter = []
                quarter.append(row)
            rows += _with_total(quarter)
        reviews, rounds = self.store.bad_facts(period), self.store.round_facts(period)
        rectification = []
        for u in units.rows:
            opened, closed = _summed(reviews, units.group(u), 2)
            revisits, satisfied, *_ = _summed(rounds, units.group(u), 6)
            rectification.append(Rectification(u.name, opened, closed, revisits, satisfied))
        return GradeReport(period, rows, rectification)

    # -- deductions ------------------------------------------------------------------

    def deduct(self, unit: str, on: date, deduction: Deduction, by: str) -> int:
        """Enter a 第十五条 deduction against a county (top-level unit)."""
        row = next((u for u in self.store.units() if u.name == unit), None)
        if row is None:
            raise ReportError(f"没有名为“{unit}”的单位")
        if row.parent_id is not None:
            raise ReportError(f"“{unit}”不是县市区（功能区）一级单位，扣分应记在其上级单位")
        return self.store.add_deduction(row.id, on, deduction, by, self.clock.now())

    def deduction_log(self, period: Period) -> list[tuple[str, date, Deduction, str, datetime]]:
        return self.store.deduction_log(period)

    def unit_names(self) -> list[tuple[str, bool]]:
        """(name, is under another unit), each 局 followed by its own."""
        return [(u.name, u.parent_id is not None) for u in _Units(self.store.units()).rows]

    def _units(self, unit: str | None) -> _Units:
        units = _Units(self.store.units())
        if unit is None:
            return units
        chosen = next((u for u in units.rows if u.name == unit), None)
        if chosen is None:
            raise ReportError(f"没有名为“{unit}”的单位")
        return _Units(units.group(chosen), everything=units.rows)


class _Units:
    """Units in report order (each 局, then its own by name), and who belongs to whom."""

    def __init__(self, rows: list[UnitRow], everything: list[UnitRow] | None = None) -> None:
        every = everything if everything is not None else rows
        names = {u.id: u.name for u in every}
        self._children: dict[int, list[UnitRow]] = {}
        for u in every:
            if u.parent_id is not None:
                self._children.setdefault(u.parent_id, []).append(u)
        self.rows = sorted(
            rows,
            key=lambda u: (
                names.get(u.parent_id, u.name) if u.parent_id else u.name,
                u.parent_id is not None,
                u.name,
            ),
        )

    def group(self, unit: UnitRow) -> list[UnitRow]:
        """The unit with its 所 and 窗口."""
        return [unit, *sorted(self._children.get(unit.id, []), key=lambda u: u.name)]


def _counts(cases: tuple[int, ...] | None, rounds: tuple[int, ...] | None) -> Counts:
    business, effective, satisfied, *_ = cases or (0, 0, 0)
    return Counts(business, effective, satisfied, *(rounds or (0,) * 6))


def _summed(facts: dict[int, tuple[int, ...]], group: list[UnitRow], width: int) -> list[int]:
    out = [0] * width
    for u in group:
        for i, v in enumerate(facts.get(u.id, ())):
            out[i] += v
    return out


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _with_total(months: list[GradeRow]) -> list[GradeRow]:
    """A quarter's months, then their total (when there is more than one)."""
    if len(months) < 2:
        return months
    first, last = months[0].period, months[-1].period
    year, q = _quarter(first.first)
    quarter = parse_period(f"{year}-Q{q}")
    whole = (quarter.first, quarter.last) == (first.first, last.last)
    label = quarter.label if whole else f"{first.first}..{last.last}"
    grades = Grades((0, 0, 0))
    for m in months:
        grades += m.grades
    span = Period(first.first, last.last, label)
    return [*months, GradeRow(months[0].unit, span, True, grades)]
