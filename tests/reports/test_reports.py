"""The three reports over the hand-built dataset (tests/reports/dataset.py), on SQLite
and PostgreSQL, every score worked out by hand below."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from callcenter.kernel.errors import ReportError
from callcenter.reports.period import parse_period
from callcenter.reports.scoring import Counts, Deduction, DeductionKind, Grades
from callcenter.reports.service import ReportService
from tests.reports.dataset import (
    BING,
    JIA,
    JIA_STATION,
    JIA_WINDOW,
    YI,
    YI_WINDOW,
    YI_WINDOW2,
    YI_WINDOW3,
)

NOV = parse_period("2026-11")


def _deduct(service: ReportService) -> None:
    service.deduct(
        JIA, date(2026, 11, 30), Deduction(DeductionKind.REPORT_POOR, 1, "内容简单"), "jiwei1"
    )
    service.deduct(
        JIA, date(2026, 11, 15), Deduction(DeductionKind.SPOT_CHECK, 2, "两起不实"), "jiwei1"
    )
    # October's: in the fourth quarter, not in November
    service.deduct(
        JIA, date(2026, 10, 10), Deduction(DeductionKind.REPORT_MISSING, 1, "未报送"), "jiwei1"
    )


def test_article15_scores_and_ranks_the_counties(service: ReportService) -> None:
    _deduct(service)
    kpi = service.kpi(NOV)
    scores = {a.unit: a for _, a in kpi.ranking}
    # 甲县 = 甲县局 (21 cases, 16 effective, all satisfied) + 甲县窗口 (20, 18, 17) +
    # 甲县一所 (10, 8, 6): 总业务量 51, 有效 42, 一级满意 39. Tickets re-visited and
    # answered in November: 3 (the window's 满意; the 所's two 不满意), 满意 1. First
    # verifications 2 (one satisfied); after a 退回, 1 (satisfied).
    assert scores[JIA].counts == Counts(51, 42, 39, 3, 1, 2, 1, 1, 1)
    # 20×42/51 + 20×39/42 + 20×1/3 + 20×1/2 + 20×1/1
    #   = 280/17 + 130/7 + 20/3 + 10 + 20 = 14890/357 + 30 = 71.7087
    assert scores[JIA].subtotal == Fraction(14890, 357) + 30
    # less 5 (report poor) and 2 spot-check findings × 5: 71.7087 − 15 = 56.7087
    assert scores[JIA].deducted == 15
    assert scores[JIA].total == Fraction(14890, 357) + 15
    # 乙县 = 乙县窗口 (200, 167, 167) + 二窗口 (50, 40, 36; 4 re-visits, 3 满意) +
    # 三窗口 (10, 5, 5): 260, 212, 208, 4, 3, no verification (2 × 20, 无此类事项)
    assert scores[YI].counts == Counts(260, 212, 208, 4, 3)
    # 20×212/260 + 20×208/212 + 20×3/4 + 20 + 20 = 212/13 + 1040/53 + 55 = 90.9303
    assert scores[YI].total == Fraction(212, 13) + Fraction(1040, 53) + 55
    # 丙县: 5 cases, no call: 0 + four rates with nothing to divide by, 4 × 20 = 80
    assert scores[BING].counts == Counts(business=5)
    assert scores[BING].total == 80
    assert [(rank, a.unit) for rank, a in kpi.ranking] == [(1, YI), (2, BING), (3, JIA)]


def test_a_quarter_takes_the_quarters_deductions(service: ReportService) -> None:
    _deduct(service)
    jia = next(a for _, a in service.kpi(parse_period("2026-Q4")).ranking if a.unit == JIA)
    # the report: the worse of poor (5) and missing (10) = 10; spot checks 10
    assert jia.deducted == 20
    assert jia.total == Fraction(14890, 357) + 10


def test_article16_scores_each_window(service: ReportService) -> None:
    windows = {w.unit: w for w in service.kpi(NOV).windows}
    # 甲县窗口: 18/20 = 90 %; (17/18 + 1/1) ÷ 2 = 97.2 %: both above, 20
    assert windows[JIA_WINDOW].score == 20
    # 乙县窗口: 167/200 = 83.5 % → −1.5; 167/167 with no re-visit: 100 % → 18.5
    assert windows[YI_WINDOW].effective_rate == Fraction(167, 200)
    assert windows[YI_WINDOW].score == Fraction(37, 2)
    # 乙县二窗口: 40/50 = 80 % → −5; (36/40 + 3/4) ÷ 2 = 82.5 % → −12.5: 2.5
    assert windows[YI_WINDOW2].score == Fraction(5, 2)
    # 乙县三窗口: 5/10 = 50 % → −35: floored at 0
    assert windows[YI_WINDOW3].score == 0
    assert list(windows) == [JIA_WINDOW, YI_WINDOW, YI_WINDOW2, YI_WINDOW3]


def test_one_unit_alone(service: ReportService) -> None:
    kpi = service.kpi(NOV, JIA_WINDOW)
    assert [a.unit for _, a in kpi.ranking] == [JIA_WINDOW]
    assert kpi.ranking[0][1].counts == Counts(20, 18, 17, 1, 1)
    with pytest.raises(ReportError, match="没有名为"):
        service.kpi(NOV, "丁县局")


def test_yima_quotas_complaints_answers_and_bad_reviews(service: ReportService) -> None:
    m = service.monthly(NOV)
    rows = {u.unit: u for u in m.units}
    # first-level calls placed in November (re-visit calls not counted), and completed
    assert (rows[JIA].quota.placed, rows[JIA].quota.completed) == (51, 42)
    assert (rows[JIA].quota.required, rows[JIA].quota.met) == (300, False)
    assert (rows[JIA_WINDOW].quota.completed, rows[JIA_WINDOW].quota.met) == (18, False)
    assert (rows[JIA_STATION].quota.required, rows[JIA_STATION].quota.met) == (30, False)
    assert (rows[YI_WINDOW].quota.placed, rows[YI_WINDOW].quota.completed) == (200, 167)
    assert rows[YI_WINDOW].quota.met  # 167 ≥ 30
    # October's three calls are not November's: 50 placed, 40 completed ≥ 30
    assert (rows[YI_WINDOW2].quota.placed, rows[YI_WINDOW2].quota.met) == (50, True)
    assert (rows[YI].quota.completed, rows[YI].quota.met) == (212, False)  # < 300
    # 甲县局's complaint cases: 3, 2 of them revisited
    assert (rows[JIA].complaints, rows[JIA].complaints_revisited) == (3, 2)
    # 差评 opened in November and 办结: 甲县 3 of 3; 乙县 5 (one a rating) of which 3
    assert (rows[JIA].bad, rows[JIA].bad_closed) == (3, 3)
    assert (rows[YI].bad, rows[YI].bad_closed) == (5, 3)
    assert (rows[YI_WINDOW].bad, rows[YI_WINDOW].bad_closed) == (1, 0)
    assert m.distribution == [
        ("g", "总体评价", "满意", 30),
        ("g", "总体评价", "基本满意", 6),
        ("g", "总体评价", "不满意", 4),
        ("q1", "服务态度", "非常满意", 17),
        ("q1", "服务态度", "很不满意", 1),
    ]
    # a quarter's quota is three months'
    assert next(u for u in service.monthly(parse_period("2026-Q4")).units).quota.required == 900


def test_yantai_grades_by_month_and_quarter(service: ReportService) -> None:
    g = service.grades(parse_period("2026-Q4"), YI)
    rows = [(r.unit, r.period.label, r.total, r.grades) for r in g.rows if r.unit == YI_WINDOW2]
    assert rows == [
        (YI_WINDOW2, "2026-10", False, Grades((2, 1, 0))),
        (YI_WINDOW2, "2026-11", False, Grades((30, 6, 4))),
        (YI_WINDOW2, "2026-12", False, Grades((0, 0, 0))),
        (YI_WINDOW2, "2026-Q4", True, Grades((32, 7, 4))),
    ]
    # the 局 counts its windows: the same 43 answers; 满意率 32/43 = 74.42 %
    yi_total = next(r for r in g.rows if r.unit == YI and r.total)
    assert yi_total.grades.rate("满意") == Fraction(32, 43)
    rect = {r.unit: r for r in g.rectification}
    # 差评 4, 3 办结 (75 %); re-visits 4, 满意 3
    assert (rect[YI_WINDOW2].bad, rect[YI_WINDOW2].closed) == (4, 3)
    assert (rect[YI_WINDOW2].revisits, rect[YI_WINDOW2].revisit_satisfied) == (4, 3)
    assert (rect[YI].bad, rect[YI].closed) == (5, 3)


def test_the_trend_is_each_months_kpi(service: ReportService) -> None:
    _deduct(service)
    trend = service.trend(NOV)
    assert [p.label for p, _ in trend] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    for period, kpi in trend[-2:]:
        alone = service.kpi(period)
        assert [(r, a.unit, a.counts, a.total) for r, a in kpi.ranking] == [
            (r, a.unit, a.counts, a.total) for r, a in alone.ranking
        ]
    # October: 乙县二窗口's three October cases, called, effective and satisfied, and
    # 乙县窗口's October case rated 差评 on the platform, never called: 4, 3, 3
    october = {a.unit: a for _, a in trend[-2][1].ranking}
    assert october[YI].counts == Counts(4, 3, 3)
