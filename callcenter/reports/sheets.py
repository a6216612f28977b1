"""Every report as tables of cells: what the workbook writes, the pages show and the
通报 prints. A count carries the drill-down that lists the calls or tickets behind it.
Pure: no database, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from callcenter.kernel.clock import BEIJING
from callcenter.reports.model import GradeReport, Kpi, Monthly
from callcenter.reports.period import Period
from callcenter.reports.scoring import (
    GRADES,
    NOT_APPLICABLE,
    Deduction,
    Rate,
    percent,
    ratio,
    rounded,
)

UNIT_KINDS = {"bureau": "局", "window": "大厅窗口", "station": "所"}


@dataclass(frozen=True)
class Drill:
    """Which calls, cases or tickets make a count (``drill`` lists them)."""

    fact: str
    period: str
    unit: str | None
    question: str = ""
    value: str = ""

    def query(self) -> dict[str, str]:
        q = {"fact": self.fact, "period": self.period}
        for key, value in (("unit", self.unit), ("q", self.question), ("v", self.value)):
            if value:
                q[key] = value
        return q


@dataclass(frozen=True)
class Cell:
    kind: str  # int | pct | score | text
    value: int | float | str | None  # a percentage as its fraction: 0.835
    text: str  # as shown
    drill: Drill | None = None


@dataclass(frozen=True)
class Table:
    key: str  # the page's anchor
    title: str  # the sheet's name, at most 31 characters
    columns: tuple[str, ...]
    rows: list[list[Cell]]


def text(value: str) -> Cell:
    return Cell("text", value, value)


def count(value: int, drill: Drill | None = None) -> Cell:
    return Cell("int", value, str(value), drill)


def rate(value: Fraction | None) -> Cell:
    if value is None:
        return Cell("text", NOT_APPLICABLE, NOT_APPLICABLE)
    return Cell("pct", float(value), f"{percent(value)}%")


def score(value: Fraction) -> Cell:
    shown = rounded(value)
    return Cell("score", float(shown), f"{shown}")


# -- 考核: 第十五条 and 第十六条 ------------------------------------------------------

A15_COLUMNS = (
    "排名",
    "单位",
    "总业务量",
    "有效回访数量",
    "有效回访率",
    "一级回访满意数量",
    "初次满意率",
    "二级回访数量",
    "回访满意数量",
    "二级满意率",
    "督查核实数量",
    "初次督查核实满意数量",
    "初次督查满意率",
    "二次督查核实数量",
    "二次督查满意数量",
    "退回满意率",
    "指标得分",
    "扣分",
    "总分",
)
A16_COLUMNS = (
    "窗口",
    "总业务量",
    "有效回访数量",
    "有效回访率",
    "有效回访率扣分",
    "初次满意率",
    "二级满意率",
    "群众满意率",
    "群众满意率扣分",
    "得分",
)


def kpi_tables(kpi: Kpi) -> list[Table]:
    p = kpi.period.label
    a15 = []
    for rank, a in kpi.ranking:
        cells = [count(rank), text(a.unit), _fact(a.counts.business, "business", p, a.unit)]
        for r in a.rates:
            cells += _rate_cells(r, p, a.unit, cells)
        cells += [score(a.subtotal), count(a.deducted), score(a.total)]
        a15.append(cells)
    a16 = []
    for w in kpi.windows:
        c = w.counts
        first, second = (
            ratio(c.first_satisfied, c.effective),
            ratio(c.revisit_satisfied, c.revisits),
        )
        a16.append(
            [
                text(w.unit),
                _fact(c.business, "business", p, w.unit),
                _fact(c.effective, "effective", p, w.unit),
                rate(w.effective_rate),
                score(w.effective_deduction),
                rate(first),
                rate(second),
                rate(w.satisfaction_rate),
                score(w.satisfaction_deduction),
                score(w.score),
            ]
        )
    return [
        Table("a15", "第十五条考核", A15_COLUMNS, a15),
        Table("a16", "第十六条窗口考核", A16_COLUMNS, a16),
    ]


def _rate_cells(r: Rate, period: str, unit: str, before: list[Cell]) -> list[Cell]:
    """The rate's counts not yet shown in the row, then the rate."""
    shown = {c.drill.fact for c in before if c.drill is not None}
    cells = [
        _fact(n, fact, period, unit)
        for n, fact in ((r.denominator, r.denominator_fact), (r.numerator, r.numerator_fact))
        if fact not in shown
    ]
    return [*cells, rate(r.value)]


def _fact(value: int, fact: str, period: str, unit: str | None) -> Cell:
    return count(value, Drill(fact, period, unit))


DEDUCTION_COLUMNS = ("单位", "所属日期", "扣分项", "次数", "扣分", "理由", "录入人", "录入时间")


# -- 义马 monthly ------------------------------------------------------------------

MONTHLY_COLUMNS = (
    "单位",
    "类别",
    "应回访数",
    "已拨打",
    "完成回访",
    "是否达标",
    "投诉件数",
    "投诉件已回访",
    "投诉件回访率",
    "差评数",
    "差评已办结",
)
DISTRIBUTION_COLUMNS = ("问题", "选项", "数量", "占比")


def monthly_tables(m: Monthly) -> list[Table]:
    p = m.period.label
    rows = []
    for u in m.units:
        q = u.quota
        rows.append(
            [
                text(u.unit),
                text(UNIT_KINDS.get(u.kind, u.kind)),
                count(q.required),
                _fact(q.placed, "placed", p, u.unit),
                _fact(q.completed, "completed", p, u.unit),
                text("达标" if q.met else "未达标"),
                _fact(u.complaints, "complaints", p, u.unit),
                _fact(u.complaints_revisited, "complaint_revisited", p, u.unit),
                rate(ratio(u.complaints_revisited, u.complaints)),
                _fact(u.bad, "bad", p, u.unit),
                _fact(u.bad_closed, "bad_closed", p, u.unit),
            ]
        )
    totals: dict[str, int] = {}
    for question, _, _, n in m.distribution:
        totals[question] = totals.get(question, 0) + n
    unit = m.unit
    dist = [
        [
            text(label),
            text(value),
            count(n, Drill("answer", p, unit, question, value)),
            rate(ratio(n, totals[question])),
        ]
        for question, label, value, n in m.distribution
    ]
    return [
        Table("quota", "回访完成情况", MONTHLY_COLUMNS, rows),
        Table("answers", "回访答案分布", DISTRIBUTION_COLUMNS, dist),
    ]


# -- 烟台 grades -------------------------------------------------------------------

GRADE_COLUMNS = ("单位", "期间", *GRADES, "合计", *(f"{g}率" for g in GRADES))
RECTIFICATION_COLUMNS = (
    "单位",
    "差评数",
    "已整改办结",
    "差评整改率",
    "二级回访数量",
    "回访满意数量",
    "再回访满意率",
)


def grade_tables(g: GradeReport) -> list[Table]:
    rows = []
    for r in g.rows:
        label = f"{_period_title(r.period)}{'合计' if r.total else ''}"
        grades = [
            count(n, Drill("grade", r.period.label, r.unit, value=grade))
            for grade, n in zip(GRADES, r.grades.counts, strict=True)
        ]
        rows.append(
            [
                text(r.unit),
                text(label),
                *grades,
                count(r.grades.total),
                *(rate(r.grades.rate(grade)) for grade in GRADES),
            ]
        )
    p = g.period.label
    rect = [
        [
            text(r.unit),
            _fact(r.bad, "bad", p, r.unit),
            _fact(r.closed, "bad_closed", p, r.unit),
            rate(ratio(r.closed, r.bad)),
            _fact(r.revisits, "revisits", p, r.unit),
            _fact(r.revisit_satisfied, "revisit_satisfied", p, r.unit),
            rate(ratio(r.revisit_satisfied, r.revisits)),
        ]
        for r in g.rectification
    ]
    return [
        Table("grades", "满意度评价", GRADE_COLUMNS, rows),
        Table("rectification", "差评整改", RECTIFICATION_COLUMNS, rect),
    ]


def _period_title(p: Period) -> str:
    return p.title


def deduction_table(log: list[tuple[str, date, Deduction, str, datetime]]) -> Table:
    rows = [
        [
            text(unit),
            text(on.isoformat()),
            text(d.kind.label),
            count(d.count),
            count(d.points),
            text(d.reason),
            text(by),
            text(at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")),
        ]
        for unit, on, d, by, at in log
    ]
    return Table("deductions", "扣分记录", DEDUCTION_COLUMNS, rows)
