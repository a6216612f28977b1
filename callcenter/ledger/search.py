"""What a reader of the 台账 asks for: the filters of the search page, the export and the
command line, and the one query that applies them.

A unit filter keeps the unit's own cases and those of its 所 and 窗口, wherever it is
used, so a 局 sees its whole 台账 and the export of a unit holds what its search shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.tables import Case, Unit
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger import taizhang as tz
from callcenter.ledger.record import CallRecord

PENDING = "pending"  # the outcome filter's value for calls not finished yet


class ScoreFilter(StrEnum):
    """Calls with at least one 1-5 answer of this score, or of 3 and worse."""

    S1 = "1"
    S2 = "2"
    S3 = "3"
    S4 = "4"
    S5 = "5"
    FOLLOW_UP = "3+"


@dataclass(frozen=True)
class SearchQuery:
    month: str | None = None  # YYYY-MM, Beijing time
    unit: str | None = None  # a unit's name; its 所 and 窗口 are included
    outcome: str | None = None  # an Outcome value or PENDING
    score: ScoreFilter | None = None
    keyword: str | None = None  # in transcripts
    case_text: str | None = None  # in 办件编号, applicant, organisation or 事项
    attempt_ids: Collection[str] | None = None  # only these attempts
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class SearchResult:
    hits: list[CallRecord]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def matching(s: Session, query: SearchQuery) -> Select[Any]:
    """Call attempts, joined to their case and its unit, that match every filter given;
    in no particular order and not paged."""
    stmt = select(CallAttempt).join(CallAttempt.case).join(Case.unit)
    if query.month:
        start, end = tz.month_bounds(query.month)
        stmt = stmt.where(CallAttempt.started_at >= start, CallAttempt.started_at < end)
    if query.unit:
        stmt = stmt.where(Case.unit_id.in_(_unit_and_children(s, query.unit)))
    if query.outcome == PENDING:
        stmt = stmt.where(CallAttempt.ended_at.is_(None))
    elif query.outcome:
        try:
            outcome = Outcome(query.outcome)
        except ValueError:
            raise LedgerError(f"outcome {query.outcome!r} is not a known outcome") from None
        stmt = stmt.where(CallAttempt.outcome == outcome.value)
    if query.score is not None:
        scored = (
            AnswerRow.score >= tz.FOLLOW_UP_MIN_SCORE
            if query.score is ScoreFilter.FOLLOW_UP
            else (AnswerRow.score == int(query.score.value))
        )
        stmt = stmt.where(
            exists().where(
                AnswerRow.attempt_id == CallAttempt.id, AnswerRow.kind == "scale", scored
            )
        )
    if query.keyword and query.keyword.strip():
        pattern = _like(query.keyword)
        stmt = stmt.where(
            exists().where(
                Recording.attempt_id == CallAttempt.id,
                Recording.transcript.ilike(pattern, escape="\\"),
            )
        )
    if query.case_text and query.case_text.strip():
        pattern = _like(query.case_text)
        columns = (Case.case_no, Case.applicant_name, Case.applicant_org, Case.matter)
        stmt = stmt.where(or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    if query.attempt_ids is not None:
        stmt = stmt.where(CallAttempt.id.in_(list(query.attempt_ids)))
    return stmt


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unit_and_children(s: Session, name: str) -> list[int]:
    unit_id = s.execute(select(Unit.id).where(Unit.name == name)).scalar_one_or_none()
    if unit_id is None:
        raise LedgerError(f"unknown unit {name!r}")
    children = s.execute(select(Unit.id).where(Unit.parent_id == unit_id)).scalars()
    return [unit_id, *children]
