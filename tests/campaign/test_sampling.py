"""The monthly draw: quotas, complaints at 100 %, exclusions, reproducible from the seed."""

from __future__ import annotations

from collections import Counter

from callcenter.campaign.sampling import Candidate, Quotas, draw_sample

UNITS = [
    ("政务服务中心市场监管窗口", "window", 120),
    ("城区市场监管所", "station", 90),
    ("千秋市场监管所", "station", 25),  # fewer cases than its minimum
    ("东区市场监管所", "station", 200),
    ("义马市市场监督管理局", "bureau", 40),
]


def month(complaints_every: int = 17) -> list[Candidate]:
    out, n = [], 0
    for unit, kind, count in UNITS:
        for _ in range(count):
            n += 1
            out.append(
                Candidate(
                    case_id=n,
                    case_no=f"YM202610{n:05d}",
                    unit=unit,
                    unit_kind=kind,
                    phone=str(13800000000 + n),
                    is_complaint=n % complaints_every == 0,
                )
            )
    return out


def test_quotas_met_and_every_complaint_drawn() -> None:
    cases = month()
    sample = draw_sample(cases, Quotas(), seed=42)
    chosen = {d.case_id for d in sample.drawn}
    complaints = {c.case_id for c in cases if c.is_complaint}
    assert complaints <= chosen
    assert all(d.reason == "complaint" for d in sample.drawn if d.case_id in complaints)
    by_unit = {u.unit: u for u in sample.units}
    for unit, kind, count in UNITS:
        u = by_unit[unit]
        if kind == "bureau":
            continue
        assert u.chosen == min(count, 30) or u.chosen >= 30, u
        assert u.chosen >= min(u.eligible, 30)
    assert by_unit["千秋市场监管所"].chosen == 25 and by_unit["千秋市场监管所"].shortfall == 5
    assert sample.total >= 300 and sample.bureau_shortfall == 0
    reasons = sample.reasons()
    assert reasons["complaint"] == len(complaints)
    assert reasons["bureau_quota"] == 300 - reasons["complaint"] - reasons["unit_quota"]
    assert [d.draw for d in sample.drawn] == list(range(1, sample.total + 1))


def test_same_seed_same_sample_whatever_the_input_order() -> None:
    cases = month()
    a = draw_sample(cases, Quotas(), seed=7)
    b = draw_sample(list(reversed(cases)), Quotas(), seed=7)
    c = draw_sample(cases, Quotas(), seed=8)
    assert a.drawn == b.drawn
    assert {d.case_id for d in a.drawn} != {d.case_id for d in c.drawn}


def test_do_not_call_even_for_a_complaint() -> None:
    cases = month()
    complaint = next(c for c in cases if c.is_complaint)
    other = cases[0]
    sample = draw_sample(cases, Quotas(), 1, do_not_call={complaint.phone, other.phone})
    chosen = {d.case_id for d in sample.drawn}
    assert complaint.case_id not in chosen and other.case_id not in chosen
    assert sample.excluded["do_not_call"] == 2


def test_recently_called_applicants_are_not_drawn_at_random() -> None:
    cases = month()
    recent = {c.phone for c in cases if c.unit == "城区市场监管所"}
    sample = draw_sample(cases, Quotas(), 3, recently_called=recent)
    by_unit = {u.unit: u for u in sample.units}
    complaints_there = sum(1 for c in cases if c.unit == "城区市场监管所" and c.is_complaint)
    # only its complaints could be drawn, and they were
    assert by_unit["城区市场监管所"].chosen == complaints_there
    assert sample.excluded["recently_called"] == 90 - complaints_there


def test_one_applicant_once_a_month() -> None:
    cases = [
        Candidate(i, f"C{i:03d}", "城区市场监管所", "station", "13800000001", False)
        for i in range(1, 11)
    ]
    sample = draw_sample(cases, Quotas(bureau=0, station=5), 1)
    assert sample.total == 1
    assert sample.excluded["same_applicant"] >= 4
    assert sample.units[0].shortfall == 4


def test_per_unit_override_and_bureau_fill_across_units() -> None:
    cases = month(complaints_every=10**9)
    quotas = Quotas(bureau=100, window=10, station=10, per_unit={"东区市场监管所": 50})
    sample = draw_sample(cases, quotas, 5)
    by_unit = {u.unit: u for u in sample.units}
    assert by_unit["东区市场监管所"].required == 50
    assert by_unit["东区市场监管所"].chosen >= 50
    assert sample.total == 100
    counts = Counter(d.reason for d in sample.drawn)
    assert counts == {"unit_quota": 10 + 10 + 10 + 50, "bureau_quota": 20}
