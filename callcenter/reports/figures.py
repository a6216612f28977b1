"""The charts of each report, from its figures (pure: markup out)."""

from __future__ import annotations

from markupsafe import Markup

from callcenter.reports import charts
from callcenter.reports.model import GradeReport, Kpi, Monthly
from callcenter.reports.period import Period
from callcenter.reports.scoring import GRADES, Counts, rounded


def kpi_charts(kpi: Kpi, trend: list[tuple[Period, Kpi]]) -> list[Markup]:
    ranking = [(a.unit, float(rounded(a.total))) for _, a in kpi.ranking]
    windows = [(w.unit, float(rounded(w.score))) for w in kpi.windows]
    units = [a.unit for _, a in kpi.ranking]
    series: list[tuple[str, list[float | None]]] = []
    for unit in units:
        values: list[float | None] = []
        for _, month in trend:
            a = next((a for _, a in month.ranking if a.unit == unit), None)
            # a month with nothing to score (no business, no ticket) is a gap, not 100
            values.append(None if a is None or a.counts == Counts() else float(rounded(a.total)))
        series.append((unit, values))
    return [
        Markup(charts.bars("第十五条得分排名", ranking, 100)),
        Markup(charts.bars("第十六条窗口得分", windows, 20)),
        Markup(charts.lines("第十五条得分月度趋势", [p.label for p, _ in trend], series, 100)),
    ]


def monthly_charts(m: Monthly) -> list[Markup]:
    done = [
        (u.unit, round(100 * u.quota.completed / u.quota.required, 1))
        for u in m.units
        if u.quota.required
    ]
    options: list[str] = []
    by_question: dict[str, dict[str, int]] = {}
    for _, label, value, n in m.distribution:
        if value not in options:
            options.append(value)
        by_question.setdefault(label, {})[value] = n
    rows = [(q, [counts.get(o, 0) for o in options]) for q, counts in by_question.items()]
    return [
        Markup(charts.bars("完成回访占应回访数", done, max([100.0, *(v for _, v in done)]), "%")),
        Markup(charts.stacked("回访答案分布", options, rows)),
    ]


def grade_charts(g: GradeReport) -> list[Markup]:
    """The period's grades by unit (its months summed)."""
    totals: dict[str, list[int]] = {}
    for r in g.rows:
        if not r.total:
            counts = totals.setdefault(r.unit, [0, 0, 0])
            for i, n in enumerate(r.grades.counts):
                counts[i] += n
    return [Markup(charts.stacked("满意度评价分布", GRADES, list(totals.items())))]
