"""第十五条 and 第十六条 arithmetic, the deductions, the quotas and the grades (pure)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from callcenter.kernel.errors import ReportError
from callcenter.reports.scoring import (
    NOT_APPLICABLE,
    Counts,
    Deduction,
    DeductionKind,
    Grades,
    article15,
    article16,
    deducted,
    percent,
    quota,
    ranked,
    rounded,
)


def test_article15_sums_five_rates_of_20_points_less_the_deductions() -> None:
    c = Counts(
        business=100,
        effective=90,
        first_satisfied=81,
        revisits=9,
        revisit_satisfied=6,
        verifications=3,
        verified_satisfied=2,
        reverifications=1,
        reverified_satisfied=0,
    )
    # 20×90/100 + 20×81/90 + 20×6/9 + 20×2/3 + 20×0/1 = 18 + 18 + 13.333… + 13.333… + 0
    #   = 62.666…; less 10 (report missing) and 2 findings × 5 = 42.666…
    a = article15(
        "某县",
        c,
        [
            Deduction(DeductionKind.REPORT_MISSING, 1, "未报送"),
            Deduction(DeductionKind.SPOT_CHECK, 2, "两起情况不实"),
        ],
    )
    assert a.subtotal == Fraction(188, 3)
    assert a.deducted == 20
    assert a.total == Fraction(128, 3)
    assert f"{rounded(a.total)}" == "42.67"


def test_a_rate_with_nothing_to_divide_by_scores_full_marks_and_says_so() -> None:
    # 有效回访率 0/5 = 0 points; the other four have denominator 0: 4 × 20 = 80
    a = article15("丙县", Counts(business=5))
    assert [r.points for r in a.rates] == [0, 20, 20, 20, 20]
    assert [r.shown() for r in a.rates] == ["0.00%", *[NOT_APPLICABLE] * 4]
    assert a.total == 80


def test_the_quarterly_report_is_deducted_once_the_worse_of_missing_and_poor() -> None:
    entries = [
        Deduction(DeductionKind.REPORT_POOR, 1, "质量不高"),
        Deduction(DeductionKind.REPORT_MISSING, 1, "未报送"),
        Deduction(DeductionKind.SPOT_CHECK, 3, "三起"),
    ]
    assert deducted(entries) == 10 + 15


def test_spot_checks_are_unlimited_and_the_total_is_not_floored() -> None:
    a = article15("某县", Counts(), [Deduction(DeductionKind.SPOT_CHECK, 30, "三十起")])
    assert a.total == 100 - 150


@pytest.mark.parametrize(
    ("kind", "count", "reason"),
    [
        (DeductionKind.REPORT_POOR, 2, "两次"),  # once a quarter
        (DeductionKind.SPOT_CHECK, 0, "零起"),
        (DeductionKind.SPOT_CHECK, 1, "  "),  # a reason is required
    ],
)
def test_a_deduction_that_does_not_fit_is_refused(
    kind: DeductionKind, count: int, reason: str
) -> None:
    with pytest.raises(ReportError):
        Deduction(kind, count, reason)


def test_units_are_ranked_by_score_ties_sharing_a_rank() -> None:
    a = article15("甲", Counts(business=10, effective=10, first_satisfied=10))  # 100
    b = article15("乙", Counts(business=10, effective=5, first_satisfied=5))  # 90
    c = article15("丙", Counts(business=10, effective=5, first_satisfied=5))  # 90
    assert [(rank, s.unit) for rank, s in ranked([c, b, a])] == [(1, "甲"), (2, "丙"), (2, "乙")]


def test_article16_above_both_standards_keeps_its_20_points() -> None:
    # 有效 18/20 = 90 % ≥ 85 %; 群众满意率 (17/18 + 1/1) ÷ 2 = 97.2 % ≥ 95 %
    w = article16("窗口", Counts(20, 18, 17, 1, 1))
    assert w.satisfaction_rate == Fraction(35, 36)
    assert w.score == 20


def test_article16_835_percent_loses_one_and_a_half_points() -> None:
    # 167/200 = 83.5 %: 1.5 points below 85 % → −1.5; 群众满意率 167/167 = 100 %
    w = article16("窗口", Counts(200, 167, 167))
    assert w.effective_deduction == Fraction(3, 2)
    assert w.score == Fraction(37, 2)


def test_article16_below_both_standards() -> None:
    # 有效 40/50 = 80 % → −5; 群众满意率 (36/40 + 3/4) ÷ 2 = 82.5 % → −12.5; 20 − 17.5 = 2.5
    w = article16("窗口", Counts(50, 40, 36, 4, 3))
    assert (w.effective_deduction, w.satisfaction_deduction) == (5, Fraction(25, 2))
    assert w.score == Fraction(5, 2)


def test_article16_never_goes_below_zero() -> None:
    # 5/10 = 50 % → −35, floored at 0
    assert article16("窗口", Counts(10, 5, 5)).score == 0


def test_article16_with_nothing_to_judge_deducts_nothing() -> None:
    w = article16("窗口", Counts())
    assert (w.effective_rate, w.satisfaction_rate, w.score) == (None, None, 20)


def test_quotas_by_unit_kind_and_months() -> None:
    assert quota("bureau", 1, 320, 300).met
    assert not quota("bureau", 1, 320, 299).met
    assert quota("window", 3, 95, 90).required == 90
    assert not quota("station", 1, 40, 29).met


def test_grades_rates() -> None:
    g = Grades((32, 7, 4))
    assert g.total == 43
    assert percent(g.rate("满意") or Fraction(0)) == percent(Fraction(32, 43))
    assert f"{percent(Fraction(32, 43))}" == "74.42"
    assert Grades((0, 0, 0)).rate("满意") is None


def test_percent_rounds_half_up() -> None:
    assert f"{percent(Fraction(167, 200))}" == "83.50"
    assert f"{percent(Fraction(1, 8000))}" == "0.01"  # 0.0125 → 0.01
    assert f"{percent(Fraction(5, 8000))}" == "0.06"  # 0.0625 → 0.06
    assert f"{rounded(Fraction(1, 200))}" == "0.01"  # 0.005 → 0.01, half up
