"""The one table the reports keep: 第十五条's manual deductions, each with its reason and
who entered it when. Everything else a report shows is counted from the calls and the
tickets as they stand."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.cases.tables import Case
from callcenter.kernel.orm import Base, UTCDateTime, one_of
from callcenter.reports.scoring import DeductionKind

DEDUCTION_KINDS = tuple(k.value for k in DeductionKind)


class ReportDeduction(Base):
    __tablename__ = "report_deductions"
    __table_args__ = (
        CheckConstraint(one_of("kind", DEDUCTION_KINDS), name="kind"),
        CheckConstraint("count >= 1", name="count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the county (top-level unit) it is taken from
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # a Beijing day of the quarter it is for: every report whose period holds the day
    # takes it
    applies_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The reports count the cases completed in a period (总业务量) and the calls that followed
# them; without this index PostgreSQL reads every case to find a month's. It belongs to
# the cases' table and is created by this feature's revision, which needs it.
CASES_COMPLETED_ON = Index("ix_cases_completed_on", Case.__table__.c.completed_on)
