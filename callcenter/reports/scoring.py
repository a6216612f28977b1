"""The arithmetic of the scores, pure (no database): 济宁 第十五条 and 第十六条, the 义马
monthly quotas and the 烟台 three grades.

Rates are exact fractions; they are rounded (half up, two decimals) only where shown, so
a score is never built from rounded parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from callcenter.kernel.errors import ReportError

RATE_POINTS = 20  # 第十五条: each of the five rates is worth 20 points
WINDOW_POINTS = 20  # 第十六条: a window's score out of 20
EFFECTIVE_STANDARD = Fraction(85, 100)  # 第十六条 ①
SATISFACTION_STANDARD = Fraction(95, 100)  # 第十六条 ②
NOT_APPLICABLE = "无此类事项"
# 义马: calls a month, at least (局 ≥ 300, 大厅窗口 ≥ 30, 各所 ≥ 30)
QUOTAS = {"bureau": 300, "window": 30, "station": 30}
GRADES = ("满意", "基本满意", "不满意")  # 烟台's three grades


@dataclass(frozen=True)
class Counts:
    """The facts of one unit in one period (definitions in the README)."""

    business: int = 0  # 总业务量
    effective: int = 0  # 有效回访数量
    first_satisfied: int = 0  # 一级回访满意数量
    revisits: int = 0  # 二级回访数量
    revisit_satisfied: int = 0  # 回访满意数量
    verifications: int = 0  # 督查核实数量
    verified_satisfied: int = 0  # 初次督查核实满意数量
    reverifications: int = 0  # 二次督查核实数量
    reverified_satisfied: int = 0  # 二次督查满意数量

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(c: Counts) -> tuple[int, ...]:
    return (
        c.business,
        c.effective,
        c.first_satisfied,
        c.revisits,
        c.revisit_satisfied,
        c.verifications,
        c.verified_satisfied,
        c.reverifications,
        c.reverified_satisfied,
    )


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: int
    denominator: int
    numerator_fact: str  # the Counts field counted above, to trace it
    denominator_fact: str

    @property
    def value(self) -> Fraction | None:
        """None when there is nothing to divide by (无此类事项)."""
        return None if self.denominator == 0 else Fraction(self.numerator, self.denominator)

    @property
    def points(self) -> Fraction:
        """第十五条: 20 × the rate; full marks when there were no such matters."""
        value = self.value
        return Fraction(RATE_POINTS) if value is None else RATE_POINTS * value

    def shown(self) -> str:
        return NOT_APPLICABLE if self.value is None else f"{percent(self.value)}%"


def rates(c: Counts) -> tuple[Rate, ...]:
    """第十五条's five rates, in its order."""
    return (
        Rate("有效回访率", c.effective, c.business, "effective", "business"),
        Rate("初次满意率", c.first_satisfied, c.effective, "first_satisfied", "effective"),
        Rate("二级满意率", c.revisit_satisfied, c.revisits, "revisit_satisfied", "revisits"),
        Rate(
            "初次督查满意率",
            c.verified_satisfied,
            c.verifications,
            "verified_satisfied",
            "verifications",
        ),
        Rate(
            "退回满意率",
            c.reverified_satisfied,
            c.reverifications,
            "reverified_satisfied",
            "reverifications",
        ),
    )


class DeductionKind(StrEnum):
    """第十五条's manual deductions."""

    REPORT_MISSING = "report_missing"
    REPORT_POOR = "report_poor"
    SPOT_CHECK = "spot_check"

    @property
    def label(self) -> str:
        return _DEDUCTION_LABELS[self][0]

    @property
    def points(self) -> int:
        """Points off for one."""
        return _DEDUCTION_LABELS[self][1]


_DEDUCTION_LABELS = {
    DeductionKind.REPORT_MISSING: ("季度分析总结报告未报送", 10),
    DeductionKind.REPORT_POOR: ("季度分析总结报告质量不高", 5),
    DeductionKind.SPOT_CHECK: ("抽查发现情况不实或弄虚作假", 5),
}
MAX_FINDINGS = 1000  # per entry; a typo, not a finding count, beyond this


@dataclass(frozen=True)
class Deduction:
    kind: DeductionKind
    count: int  # findings, for a spot check; 1 otherwise
    reason: str

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_FINDINGS:
            raise ReportError(f"扣分次数应为 1 至 {MAX_FINDINGS}，不能是 {self.count}")
        if self.kind is not DeductionKind.SPOT_CHECK and self.count != 1:
            raise ReportError(f"“{self.kind.label}”每季度只扣一次")
        if not self.reason.strip():
            raise ReportError("请写明扣分理由")

    @property
    def points(self) -> int:
        return self.kind.points * self.count


def deducted(deductions: Iterable[Deduction]) -> int:
    """Points off: spot-check findings without limit; for the quarterly report the worse
    of what was entered, since a report cannot be both missing and poor."""
    spot = 0
    report = 0
    for d in deductions:
        if d.kind is DeductionKind.SPOT_CHECK:
            spot += d.points
        else:
            report = max(report, d.points)
    return spot + report


@dataclass(frozen=True)
class Article15:
    """第十五条: one county's (top-level unit's) score out of 100, less deductions."""

    unit: str
    counts: Counts
    rates: tuple[Rate, ...]
    deductions: tuple[Deduction, ...]

    @property
    def subtotal(self) -> Fraction:
        return sum((r.points for r in self.rates), Fraction(0))

    @property
    def deducted(self) -> int:
        return deducted(self.deductions)

    @property
    def total(self) -> Fraction:
        # no floor: spot-check deductions have no upper limit
        return self.subtotal - self.deducted


def article15(unit: str, counts: Counts, deductions: Sequence[Deduction] = ()) -> Article15:
    return Article15(unit, counts, rates(counts), tuple(deductions))


def ranked(scores: Iterable[Article15]) -> list[tuple[int, Article15]]:
    """By total, highest first; equal totals share a rank (1, 1, 3)."""
    ordered = sorted(scores, key=lambda a: (-a.total, a.unit))
    out: list[tuple[int, Article15]] = []
    for i, score in enumerate(ordered):
        rank = out[-1][0] if out and out[-1][1].total == score.total else i + 1
        out.append((rank, score))
    return out


@dataclass(frozen=True)
class Article16:
    """第十六条: one window's score out of 20."""

    unit: str
    counts: Counts
    effective_rate: Fraction | None  # None: no business in the period
    satisfaction_rate: Fraction | None  # None: neither rate has a denominator

    @property
    def effective_deduction(self) -> Fraction:
        return _below(self.effective_rate, EFFECTIVE_STANDARD)

    @property
    def satisfaction_deduction(self) -> Fraction:
        return _below(self.satisfaction_rate, SATISFACTION_STANDARD)

    @property
    def score(self) -> Fraction:
        off = self.effective_deduction + self.satisfaction_deduction
        return max(Fraction(0), WINDOW_POINTS - off)


def article16(unit: str, counts: Counts) -> Article16:
    """群众满意率 = (初次满意率 + 二级满意率) ÷ 2; a rate with nothing to divide by is left
    out of the mean (with both left out there is nothing to judge, so nothing is off)."""
    r = rates(counts)
    present = [x for x in (r[1].value, r[2].value) if x is not None]
    satisfaction = sum(present, Fraction(0)) / len(present) if present else None
    return Article16(unit, counts, r[0].value, satisfaction)


def _below(rate: Fraction | None, standard: Fraction) -> Fraction:
    """One point per percentage point below the standard, in proportion."""
    if rate is None or rate >= standard:
        return Fraction(0)
    return (standard - rate) * 100


@dataclass(frozen=True)
class Quota:
    """义马: a unit's calls in the period against what it must make."""

    required: int
    placed: int
    completed: int

    @property
    def met(self) -> bool:
        return self.completed >= self.required


def quota(kind: str, months: int, placed: int, completed: int) -> Quota:
    """The monthly quota of a unit of ``kind`` times the months the period spans."""
    return Quota(QUOTAS.get(kind, 0) * months, placed, completed)


@dataclass(frozen=True)
class Grades:
    """烟台: answers of each of the three grades."""

    counts: tuple[int, int, int]  # 满意, 基本满意, 不满意

    @property
    def total(self) -> int:
        return sum(self.counts)

    def rate(self, grade: str) -> Fraction | None:
        if self.total == 0:
            return None
        return Fraction(self.counts[GRADES.index(grade)], self.total)

    def __add__(self, other: Grades) -> Grades:
        a, b = self.counts, other.counts
        return Grades((a[0] + b[0], a[1] + b[1], a[2] + b[2]))


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator, denominator)


def percent(value: Fraction) -> Decimal:
    """A rate as a percentage, two decimals, half up: 167/200 → 83.50."""
    return rounded(value * 100)


def rounded(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
