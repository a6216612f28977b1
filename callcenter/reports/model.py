"""What each report holds, as plain values (pure): the service fills them, the sheets,
charts and pages read them."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.reports.period import Period
from callcenter.reports.scoring import Article15, Article16, Grades, Quota


@dataclass(frozen=True)
class Kpi:
    period: Period
    ranking: list[tuple[int, Article15]]  # 第十五条, by score
    windows: list[Article16]  # 第十六条


@dataclass(frozen=True)
class UnitMonth:
    """义马: one unit's month (or period)."""

    unit: str
    kind: str
    quota: Quota
    complaints: int
    complaints_revisited: int
    bad: int  # 差评 opened
    bad_closed: int  # of them 办结


@dataclass(frozen=True)
class Monthly:
    period: Period
    unit: str | None  # the unit asked for, with its own; None for every unit
    units: list[UnitMonth]
    distribution: list[tuple[str, str, str, int]]  # question id, question, option, answers


@dataclass(frozen=True)
class GradeRow:
    unit: str
    period: Period  # a month, or a quarter's total
    total: bool  # a quarter's total row
    grades: Grades


@dataclass(frozen=True)
class Rectification:
    """烟台: a unit's 差评 and their 整改, and the re-visits' satisfaction."""

    unit: str
    bad: int
    closed: int
    revisits: int
    revisit_satisfied: int


@dataclass(frozen=True)
class GradeReport:
    period: Period
    rows: list[GradeRow]
    rectification: list[Rectification]
