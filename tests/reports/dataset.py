"""A hand-built month (November 2026, with a little of October) whose scores were
worked out by hand in the tests. Rows are written straight into the tables, stage by
stage, so every count is exactly what the dataset says.

Units (局 with its 窗口 and 所):

- 甲县局, 甲县窗口, 甲县一所
- 乙县局, 乙县窗口, 乙县二窗口, 乙县三窗口
- 丙县局 (cases, no calls: the zero denominators)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import AnswerRow, CallAttempt
from callcenter.cases.tables import Case, Unit
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import BEIJING
from callcenter.tickets.tables import Ticket, TicketRound

JIA, JIA_WINDOW, JIA_STATION = "甲县局", "甲县窗口", "甲县一所"
YI, YI_WINDOW, YI_WINDOW2, YI_WINDOW3 = "乙县局", "乙县窗口", "乙县二窗口", "乙县三窗口"
BING = "丙县局"


def bj(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BEIJING)


@dataclass
class Builder:
    s: Session
    units: dict[str, int] = field(default_factory=dict)
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    tickets: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def unit(self, name: str, kind: str, parent: str | None = None) -> None:
        u = Unit(name=name, kind=kind, parent_id=None if parent is None else self.units[parent])
        self.s.add(u)
        self.s.flush()
        self.units[name] = u.id

    def case(self, unit: str, on: date, complaint: bool = False) -> int:
        n = next(self.seq)
        c = Case(
            case_no=f"C{n:05d}",
            unit_id=self.units[unit],
            applicant_name=f"申请人{n}",
            phone="13800000000",
            matter="营业执照变更",
            completed_on=on,
            is_complaint=complaint,
        )
        self.s.add(c)
        self.s.flush()
        return c.id

    def call(
        self,
        case_id: int,
        at: datetime,
        outcome: Outcome = Outcome.COMPLETE,
        answers: dict[str, tuple[str, str]] | None = None,
    ) -> str:
        """An attempt; ``answers`` maps question id → (question, option words)."""
        attempt_id = f"a{next(self.seq):06d}"
        self.s.add(
            CallAttempt(
                id=attempt_id,
                case_id=case_id,
                script_id="test",
                attempt_no=1,
                started_at=at,
                answered_at=at if outcome.answered else None,
                ended_at=at,
                outcome=outcome.value,
            )
        )
        self.s.flush()
        for q, (label, value) in (answers or {}).items():
            self.s.add(
                AnswerRow(
                    attempt_id=attempt_id,
                    question_id=q,
                    label=label,
                    kind="choice",
                    value=value,
                    answered_at=at,
                )
            )
        return attempt_id

    def ticket(
        self,
        case_id: int,
        unit: str,
        attempt_id: str | None,
        opened: datetime,
        state: str,
        rounds: list[dict[str, object]],
        source: str = "call",
    ) -> int:
        t = Ticket(
            year=2026,
            seq=next(self.tickets),
            kind="rectification",
            state=state,
            round=len(rounds),
            version=1,
            case_id=case_id,
            unit_id=self.units[unit],
            cycle=opened.astimezone(BEIJING).strftime("%Y-%m"),
            source=source,
            attempt_id=attempt_id,
            channel="电话回访",
            complaint="不满意",
            opened_at=opened,
            updated_at=opened,
        )
        self.s.add(t)
        self.s.flush()
        for n, values in enumerate(rounds, start=1):
            self.s.add(TicketRound(ticket_id=t.id, round=n, started_at=opened, **values))
        self.s.flush()
        return t.id

    def revisit(self, case_id: int, at: datetime, satisfied: bool) -> dict[str, object]:
        """A re-visit call answered at ``at`` (a complete call: not a first-level one)."""
        attempt = self.call(case_id, at)
        return {
            "revisit_at": at,
            "revisit_result": "satisfied" if satisfied else "unsatisfied",
            "revisit_attempt_id": attempt,
        }

    def visits(
        self,
        unit: str,
        business: int,
        effective: int,
        complaint: int = 0,
        answers: list[dict[str, tuple[str, str]]] | None = None,
        on: date = date(2026, 11, 2),
        at: datetime | None = None,
    ) -> list[tuple[int, str]]:
        """``business`` cases completed on ``on``; the first ``effective`` get a complete
        call, the rest a call nobody answered; the first ``complaint`` are complaints.
        Returns (case id, attempt id) of the effective ones."""
        out = []
        at = at or bj(on.month, on.day + 8)
        for i in range(business):
            case_id = self.case(unit, on, complaint=i < complaint)
            if i < effective:
                given = answers[i] if answers and i < len(answers) else None
                out.append((case_id, self.call(case_id, at, answers=given)))
            else:
                self.call(case_id, at, Outcome.NO_ANSWER)
        return out


def build(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        b = Builder(s)
        for name, kind, parent in (
            (JIA, "bureau", None),
            (JIA_WINDOW, "window", JIA),
            (JIA_STATION, "station", JIA),
            (YI, "bureau", None),
            (YI_WINDOW, "window", YI),
            (YI_WINDOW2, "window", YI),
            (YI_WINDOW3, "window", YI),
            (BING, "bureau", None),
        ):
            b.unit(name, kind, parent)
        _jia(b)
        _yi(b)
        # 丙县局: five cases, no call at all
        for _ in range(5):
            b.case(BING, date(2026, 11, 3))


ATTITUDE = "服务态度"
OVERALL = "总体评价"


def _jia(b: Builder) -> None:
    # 甲县局 itself: 20 cases, 16 effective, 2 complaints (the first effective)
    b.visits(JIA, 20, 16, complaint=2)
    # a complaint case nobody answered: 1 of the 3 complaint cases not revisited
    cid = b.case(JIA, date(2026, 11, 4), complaint=True)
    b.call(cid, bj(11, 12), Outcome.NO_ANSWER)
    # that makes 甲县局's own business 21, effective 16

    # 甲县窗口: 20 cases, 18 effective; one bad answer opens a ticket, re-visited 满意
    answers = [{"q1": (ATTITUDE, "非常满意")}] * 17 + [{"q1": (ATTITUDE, "很不满意")}]
    done = b.visits(JIA_WINDOW, 20, 18, answers=answers)
    case_id, attempt = done[17]
    b.ticket(
        case_id,
        JIA_WINDOW,
        attempt,
        bj(11, 10),
        "closed",
        [b.revisit(case_id, bj(11, 16), satisfied=True)],
    )

    # 甲县一所: 10 cases, 8 effective, 2 tickets
    done = b.visits(JIA_STATION, 10, 8)
    (c1, a1), (c2, a2) = done[6], done[7]
    # t1: re-visit 不满意, first verification: satisfied (办结)
    b.ticket(
        c1,
        JIA_STATION,
        a1,
        bj(11, 10),
        "closed",
        [
            {
                **b.revisit(c1, bj(11, 15), satisfied=False),
                "verified_at": bj(11, 18),
                "applicant_satisfied": True,
                "conclusion": "satisfied",
            }
        ],
    )
    # t2: re-visit 不满意, first verification returns it (not satisfied); round 2's
    # re-visit 不满意 again, second verification satisfied
    b.ticket(
        c2,
        JIA_STATION,
        a2,
        bj(11, 10),
        "closed",
        [
            {
                **b.revisit(c2, bj(11, 14), satisfied=False),
                "verified_at": bj(11, 17),
                "applicant_satisfied": False,
                "conclusion": "returned",
            },
            {
                **b.revisit(c2, bj(11, 22), satisfied=False),
                "verified_at": bj(11, 25),
                "applicant_satisfied": True,
                "conclusion": "satisfied",
            },
        ],
    )


def _yi(b: Builder) -> None:
    # 乙县窗口: 200 cases, 167 effective (83.5 %), none opened a ticket
    b.visits(YI_WINDOW, 200, 167)
    # a 差评 imported from the 好差评 platform in November, of an October case: a
    # ticket with no call, still open
    rated = b.case(YI_WINDOW, date(2026, 10, 28))
    b.ticket(rated, YI_WINDOW, None, bj(11, 20), "awaiting_contact", [{}], source="rating")

    # 乙县二窗口: 50 cases, 40 effective, 4 opened tickets; re-visits 3 满意, 1 不满意
    grades = (
        [{"g": (OVERALL, "满意")}] * 30
        + [{"g": (OVERALL, "基本满意")}] * 6
        + [{"g": (OVERALL, "不满意")}] * 4
    )
    done = b.visits(YI_WINDOW2, 50, 40, answers=grades)
    for i, (case_id, attempt) in enumerate(done[36:]):
        satisfied = i < 3
        b.ticket(
            case_id,
            YI_WINDOW2,
            attempt,
            bj(11, 11),
            "closed" if satisfied else "verifying",
            [b.revisit(case_id, bj(11, 19), satisfied=satisfied)],
        )
    # October: 3 graded calls (满意 2, 基本满意 1) of October's cases
    october = [{"g": (OVERALL, "满意")}] * 2 + [{"g": (OVERALL, "基本满意")}]
    b.visits(YI_WINDOW2, 3, 3, answers=october, on=date(2026, 10, 8), at=bj(10, 20))

    # 乙县三窗口: 10 cases, 5 effective (50 %)
    b.visits(YI_WINDOW3, 10, 5)
