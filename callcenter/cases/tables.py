"""Tables of cases: the units (局 / 窗口 / 所) and the completed 办件 to follow up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.kernel.orm import Base, UTCDateTime, one_of, utcnow

UNIT_KINDS = ("bureau", "window", "station")  # 局 / 大厅窗口 / 所


class Unit(Base):
    """A 局, 大厅窗口 or 所; each keeps its own 台账."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(one_of("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class Case(Base):
    """A completed 办件 exported from the business system, the subject of a follow-up."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_org: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(16), default="")
    phone: Mapped[str] = mapped_column(String(32))
    matter: Mapped[str] = mapped_column(Text)
    completed_on: Mapped[date] = mapped_column(Date)
    is_complaint: Mapped[bool] = mapped_column(default=False)
    # who handled the case (办案人 / 经办人), who must never call its applicant (003)
    handler: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
