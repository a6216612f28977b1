"""Units, cases, users and finished calls for the ticket tests, and a service on a fixed
clock. Dates are fixed in 2026, a year the holiday calendar knows: the Spring Festival
holiday runs from Sunday 15 to Monday 23 February, Saturdays 14 and 28 February are
make-up working days (调休)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from callcenter.access.accounts import Accounts
from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import CAUSE_NORMAL, Outcome
from callcenter.interview.script import Script, load_script
from callcenter.kernel.clock import BEIJING, FixedClock
from callcenter.tickets.config import TicketSettings
from callcenter.tickets.notify import Notifier
from callcenter.tickets.service import TicketService
from callcenter.tickets.staff import Staff
from callcenter.tickets.store import TicketStore

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ivr_scripts" / "yima_phone_followup.yaml"

BUREAU = "义马市市场监督管理局"
STATION = "义马市市场监督管理局千秋所"
WINDOW = "义马市市场监督管理局大厅窗口"
OTHER_STATION = "义马市市场监督管理局泰山所"


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def script() -> Script:
    return load_script(SCRIPT)


def calendar() -> CallingCalendar:
    return CallingCalendar.from_settings(CampaignSettings())


def make_service(
    ledger: Ledger,
    clock: FixedClock,
    settings: TicketSettings | None = None,
    notifier: Notifier | None = None,
) -> TicketService:
    s = script()
    return TicketService(
        TicketStore(ledger.sessions),
        Staff(ledger.sessions, clock),
        ledger,
        {s.id: s},
        calendar(),
        settings or TicketSettings(),
        clock,
        notifier,
    )


def add_units(ledger: Ledger) -> None:
    ledger.upsert_unit(BUREAU, kind="bureau")
    for unit in (STATION, OTHER_STATION):
        ledger.upsert_unit(unit, kind="station", parent=BUREAU)
    ledger.upsert_unit(WINDOW, kind="window", parent=BUREAU)


def add_case(ledger: Ledger, case_no: str, unit: str = STATION, name: str = "张三") -> int:
    return ledger.add_case(
        case_no, unit, name, "13800000000", "个体工商户设立登记", date(2026, 1, 20), "先生"
    )


def add_user(ledger: Ledger, name: str, role: str, unit: str | None = None) -> None:
    # no one logs in here, so any hash will do
    Accounts(ledger.sessions).add_user(name, role, "not-a-password-hash")
    if unit is not None:
        Staff(ledger.sessions, FixedClock(beijing(2026, 1, 1))).bind(name, unit)


def answers(**scores: int) -> list[Answer]:
    """A complete interview: each scale question 1 (非常满意) unless given, with the
    recorded reason after a 3-5; ``q6`` 1 reports misconduct."""
    labels = {
        "q1_environment": ("服务环境", "q1_reason", "服务环境不满意原因"),
        "q2_attitude": ("服务态度", "q2_reason", "服务态度不满意情形"),
        "q3_competence": ("业务能力", "q3_reason", "业务能力不满意情形"),
        "q5_efficiency": ("办事效率", "q5_reason", "办事效率不满意情形"),
    }
    words = ("非常满意", "比较满意", "一般", "不太满意", "很不满意")
    out = [Answer("consent", "接听意愿", "yesno", "1", "方便")]
    for qid, (label, reason_id, reason_label) in labels.items():
        score = scores.get(qid.split("_")[0], 1)
        out.append(Answer(qid, label, "scale", str(score), words[score - 1], score=score))
        if score >= 3:
            out.append(
                Answer(reason_id, reason_label, "recording", recording=Path(f"{reason_id}.wav"))
            )
        if qid == "q3_competence":
            out.append(Answer("q4_one_time_notice", "一次性告知", "yesno", "1", "是"))
    q6 = scores.get("q6", 2)
    out.append(Answer("q6_integrity", "索拿卡要", "yesno", str(q6), "是" if q6 == 1 else "否"))
    out.append(Answer("q7_suggestion", "意见建议", "yesno", "2", "无"))
    return out


def finished_call(
    ledger: Ledger,
    attempt_id: str,
    case_id: int,
    at: datetime,
    given: Sequence[Answer],
    script_id: str = "yima_phone_followup",
) -> str:
    ledger.start_attempt(attempt_id, case_id, script_id, at)
    ledger.mark_answered(attempt_id, at + timedelta(seconds=5))
    for answer in given:
        ledger.save_answer(attempt_id, answer, at=at + timedelta(seconds=30))
    ledger.finish_attempt(attempt_id, Outcome.COMPLETE, CAUSE_NORMAL, at + timedelta(minutes=3))
    return attempt_id
