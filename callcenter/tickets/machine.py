"""The life of a 整改 ticket, as a pure state machine (no database, no clock).

济宁 第六条–第九条: an applicant's 不满意 becomes the responsible unit's to-do (二级窗口
整改回访); the unit's liaison contacts the applicant (by phone, a visit or otherwise) and
submits a rectification report; the applicant is then visited again; satisfied, the
ticket is closed (办结); not satisfied, or not reached after the retries, supervision
verifies (三级督查核实) and concludes: 核实满意 (办结), 无效投诉 (办结), 退回重新整改
(back to 整改中 for another round) or 问责 (办结, flagged). A second 不满意 after a 退回
goes to 二次督查, which 第十五条 counts apart (退回满意率). A misconduct report (索拿卡要)
goes straight to supervision: the unit does not investigate itself.

``advance`` takes where a ticket is and what happened and returns where it goes; an
event that does not fit is refused with ``TicketError`` naming the ticket, its state and
the event. Who may send which event is ``scope``'s business; storing it, ``store``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from callcenter.kernel.errors import TicketError

MAX_TEXT = 2000


class Kind(StrEnum):
    RECTIFICATION = "rectification"
    MISCONDUCT = "misconduct"

    @property
    def label(self) -> str:
        return "整改工单" if self is Kind.RECTIFICATION else "督查工单"


class State(StrEnum):
    AWAITING_CONTACT = "awaiting_contact"
    RECTIFYING = "rectifying"
    REPORTED = "reported"
    AWAITING_REVISIT = "awaiting_revisit"
    VERIFYING = "verifying"
    REVERIFYING = "reverifying"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    State.AWAITING_CONTACT: "待联系",
    State.RECTIFYING: "整改中",
    State.REPORTED: "已报告",
    State.AWAITING_REVISIT: "待再回访",
    State.VERIFYING: "督查核实",
    State.REVERIFYING: "二次督查",
    State.CLOSED: "办结",
}
# states in which the unit's liaison has something to do, and supervision has
UNIT_STATES = frozenset({State.AWAITING_CONTACT, State.RECTIFYING})
SUPERVISION_STATES = frozenset({State.VERIFYING, State.REVERIFYING})


class ContactMethod(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"phone": "电话回访", "visit": "上门走访", "other": "其他方式"}[self.value]


class RevisitResult(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "unsatisfied": "不满意", "unreachable": "未接通"}[self.value]


class Conclusion(StrEnum):
    """督查核实结论 (济宁 第九条)."""

    SATISFIED = "satisfied"
    INVALID = "invalid"
    RETURNED = "returned"
    ACCOUNTABILITY = "accountability"

    @property
    def label(self) -> str:
        return _CONCLUSION_LABELS[self]


_CONCLUSION_LABELS = {
    Conclusion.SATISFIED: "核实满意，办结",
    Conclusion.INVALID: "无效投诉，办结",
    Conclusion.RETURNED: "退回重新整改",
    Conclusion.ACCOUNTABILITY: "启动问责，办结",
}


class Closure(StrEnum):
    """How a ticket was closed (办结)."""

    REVISIT_SATISFIED = "revisit_satisfied"
    VERIFIED_SATISFIED = "verified_satisfied"
    INVALID = "invalid"
    ACCOUNTABILITY = "accountability"

    @property
    def label(self) -> str:
        return {
            "revisit_satisfied": "再回访满意",
            "verified_satisfied": "核实满意",
            "invalid": "无效投诉",
            "accountability": "问责",
        }[self.value]


class Stage(StrEnum):
    """Which of a round's timestamps a transition sets."""

    CONTACTED = "contacted"
    REPORTED = "reported"
    REVISIT_DUE = "revisit_due"
    REVISITED = "revisited"
    VERIFIED = "verified"


# -- events ----------------------------------------------------------------------------


class Step:
    """What every event says of itself: its stored name and its words."""

    name: ClassVar[str]
    label: ClassVar[str]


@dataclass(frozen=True)
class Contact(Step):
    method: ContactMethod
    summary: str
    name: ClassVar[str] = "contact"
    label: ClassVar[str] = "联系申请人"


@dataclass(frozen=True)
class Report(Step):
    text: str
    name: ClassVar[str] = "report"
    label: ClassVar[str] = "提交整改报告"


@dataclass(frozen=True)
class RevisitReady(Step):
    """The report has waited long enough: the re-visit call is due."""

    name: ClassVar[str] = "revisit_due"
    label: ClassVar[str] = "转入待再回访"


@dataclass(frozen=True)
class Revisit(Step):
    result: RevisitResult
    name: ClassVar[str] = "revisit"
    label: ClassVar[str] = "再回访"


@dataclass(frozen=True)
class Verify(Step):
    # the applicant's satisfaction as supervision found it; None: could not be reached
    applicant_satisfied: bool | None
    conclusion: Conclusion
    text: str
    name: ClassVar[str] = "verify"
    label: ClassVar[str] = "督查核实"


Event = Contact | Report | RevisitReady | Revisit | Verify
EVENT_LABELS = {e.name: e.label for e in (Contact, Report, RevisitReady, Revisit, Verify)}
EVENT_LABELS["open"] = "开具工单"


@dataclass(frozen=True)
class Position:
    """Where a ticket is: its number (for messages), kind, state and round."""

    ticket: str
    kind: Kind
    state: State
    round: int


@dataclass(frozen=True)
class Transition:
    before: Position
    state: State
    round: int
    stage: Stage
    closure: Closure | None = None
    flagged: bool = False

    @property
    def new_round(self) -> bool:
        return self.round != self.before.round


def opening_state(kind: Kind) -> State:
    """The first state: the unit's contact, or supervision for a misconduct report."""
    return State.VERIFYING if kind is Kind.MISCONDUCT else State.AWAITING_CONTACT


# the events each state accepts
_ACCEPTS: dict[State, tuple[type[Step], ...]] = {
    State.AWAITING_CONTACT: (Contact,),
    State.RECTIFYING: (Report,),
    State.REPORTED: (RevisitReady,),
    State.AWAITING_REVISIT: (Revisit,),
    State.VERIFYING: (Verify,),
    State.REVERIFYING: (Verify,),
    State.CLOSED: (),
}


def accepts(state: State) -> tuple[type[Step], ...]:
    """The event types ``state`` accepts (none once closed)."""
    return _ACCEPTS[state]


def advance(at: Position, event: Event) -> Transition:
    """Where ``event`` takes a ticket that is ``at``; TicketError if it does not fit."""
    if not isinstance(event, accepts(at.state)):
        expected = "、".join(e.label for e in accepts(at.state)) or "无（已办结）"
        raise _refuse(at, event, f"当前可办理：{expected}")
    if isinstance(event, Contact):
        _text(at, event, event.summary, "联系情况")
        return Transition(at, State.RECTIFYING, at.round, Stage.CONTACTED)
    if isinstance(event, Report):
        _text(at, event, event.text, "整改情况")
        return Transition(at, State.REPORTED, at.round, Stage.REPORTED)
    if isinstance(event, RevisitReady):
        return Transition(at, State.AWAITING_REVISIT, at.round, Stage.REVISIT_DUE)
    if isinstance(event, Revisit):
        if event.result is RevisitResult.SATISFIED:
            return Transition(
                at, State.CLOSED, at.round, Stage.REVISITED, closure=Closure.REVISIT_SATISFIED
            )
        to = State.VERIFYING if at.round == 1 else State.REVERIFYING
        return Transition(at, to, at.round, Stage.REVISITED)
    return _verify(at, event)


def _verify(at: Position, event: Verify) -> Transition:
    _text(at, event, event.text, "核实情况")
    c = event.conclusion
    if c is Conclusion.SATISFIED and event.applicant_satisfied is not True:
        raise _refuse(at, event, "结论为核实满意时，申请人须表示满意")
    if c is Conclusion.RETURNED:
        if at.kind is Kind.MISCONDUCT:
            raise _refuse(at, event, "反映索拿卡要的工单由督查部门核实，不退回被反映单位整改")
        return Transition(at, State.RECTIFYING, at.round + 1, Stage.VERIFIED)
    closure = {
        Conclusion.SATISFIED: Closure.VERIFIED_SATISFIED,
        Conclusion.INVALID: Closure.INVALID,
        Conclusion.ACCOUNTABILITY: Closure.ACCOUNTABILITY,
    }[c]
    return Transition(
        at,
        State.CLOSED,
        at.round,
        Stage.VERIFIED,
        closure=closure,
        flagged=c is Conclusion.ACCOUNTABILITY,
    )


def _text(at: Position, event: Event, text: str, what: str) -> None:
    if not text.strip():
        raise _refuse(at, event, f"{what}不能为空")
    if len(text) > MAX_TEXT:
        raise _refuse(at, event, f"{what}超过{MAX_TEXT}字")


def _refuse(at: Position, event: Event, why: str) -> TicketError:
    return TicketError(
        f"工单{at.ticket}处于「{at.state.label}」，不能{event.label}：{why}",
        ticket=at.ticket,
        state=at.state.value,
        event=event.name,
    )
