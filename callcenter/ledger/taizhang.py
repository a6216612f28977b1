"""The 电话回访登记台账 (附件2): its columns and the words that fill them.

Pure functions over domain values, so the wording can be checked without a database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import BEIJING as LEDGER_TZ
from callcenter.kernel.errors import LedgerError
from callcenter.transcription.store import FAILED_TEXT

COLUMNS = ("回访单位", "回访时间", "被回访单位", "回访事项", "电话记录", "备注")

# Options 3-5 of the five-point scales (一般 / 不太满意 / 很不满意) are the ones the script
# asks the reason for, so they are the ones to follow up.
FOLLOW_UP_MIN_SCORE = 3

# Most yes/no questions ask whether something was done right (一次性告知), so 否 is the
# answer to follow up; the integrity question asks whether misconduct happened, and 信阳's
# 多头跑 whether the applicant was sent back and forth, so there it is 是. The script only
# gives words, hence recognising those questions by their labels.
_YES_IS_ADVERSE = ("廉洁", "索", "拿卡要", "多头跑")

# The script's 接听意愿 step: whether the callee agreed to be interviewed, which the
# outcome already says, so it is not one of the answers the 台账 lists or counts.
CONSENT_QUESTION_ID = "consent"

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class TaizhangRow:
    """One line of the 台账, already in the words a reader of the form expects."""

    unit: str  # 回访单位
    called_at: str  # 回访时间, Beijing time, YYYY-MM-DD HH:MM
    respondent: str  # 被回访单位
    matter: str  # 回访事项
    phone_record: str  # 电话记录
    remark: str  # 备注

    def as_tuple(self) -> tuple[str, str, str, str, str, str]:
        """The values in the order of ``COLUMNS``."""
        return (
            self.unit,
            self.called_at,
            self.respondent,
            self.matter,
            self.phone_record,
            self.remark,
        )


def row(
    *,
    unit: str,
    started_at: datetime,
    applicant_name: str,
    applicant_org: str,
    matter: str,
    complaint: bool,
    outcome: Outcome,
    answers: Sequence[Answer],
    transcripts: Mapping[str, str],
    note: str,
    agent_remark: str,
    ticket_remark: str = "",
) -> TaizhangRow:
    """The row of one finished call.

    回访单位 is the case's unit, since each 所 and 窗口 keeps and reports its own 台账;
    被回访单位 the applicant's organisation, else the applicant.
    """
    return TaizhangRow(
        unit=unit,
        called_at=format_call_time(started_at),
        respondent=applicant_org or applicant_name,
        matter=matter,
        phone_record=phone_record(outcome, answers, transcripts),
        remark=remark(
            outcome,
            answers,
            note,
            complaint=complaint,
            agent_remark=agent_remark,
            ticket_remark=ticket_remark,
        ),
    )


def format_call_time(at: datetime) -> str:
    """回访时间 as written in the 台账: Beijing time to the minute."""
    return at.astimezone(LEDGER_TZ).strftime("%Y-%m-%d %H:%M")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The UTC instants that start and end (exclusive) the Beijing month ``YYYY-MM``."""
    match = _MONTH.fullmatch(month)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise LedgerError(f"month {month!r} is not YYYY-MM")
    year, mon = int(match[1]), int(match[2])
    start = datetime(year, mon, 1, tzinfo=LEDGER_TZ)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=LEDGER_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def phone_record(
    outcome: Outcome,
    answers: Sequence[Answer],
    transcripts: Mapping[str, str] | None = None,
) -> str:
    """电话记录: what was said, question by question.

    A recorded answer right after a question it explains (its label starts with that
    question's label, as 服务态度不满意情形 after 服务态度) is written with it.
    ``transcripts`` maps question ids to the text of their recordings, where known; a
    recording without one is noted as recorded.
    """
    if not outcome.answered:
        return "未接通"
    transcripts = transcripts or {}
    parts = [_describe(main, follow_up, transcripts) for main, follow_up in _questions(answers)]
    if parts:
        return "；".join(parts)
    return "接通，不同意回访" if outcome is Outcome.REFUSED else "接通，未作答"


def remark(
    outcome: Outcome,
    answers: Sequence[Answer],
    note: str = "",
    *,
    complaint: bool = False,
    agent_remark: str = "",
    ticket_remark: str = "",
) -> str:
    """备注: why the call fell short, which answers need following up, the call's note,
    the 整改 ticket the call opened (e.g. 整改工单T2026-0001（整改中）), and last what agents
    wrote after taking the call over or calling back.

    For a call cut short the note, when there is one, already says how (中途挂断 /
    无按键应答, with the count), so it stands in for the generic wording.
    """
    note = note.strip()
    questions = _questions(answers)
    parts: list[str] = []
    if complaint:
        parts.append("投诉件")
    if outcome is Outcome.PARTIAL:
        parts.append(note or f"中途挂断，已答{len(questions)}题")
        note = ""
    elif outcome is not Outcome.COMPLETE:
        parts.append(outcome.label)
    flagged = [concern for main, why in questions if (concern := _concern(main, why))]
    if flagged:
        parts.append("需跟进：" + "、".join(flagged))
    if note and note not in parts:
        parts.append(note)
    if ticket_remark.strip():
        parts.append(ticket_remark.strip())
    # last, where a reader of the form looks for it: what the person who talked wrote
    if agent_remark.strip():
        parts.append(agent_remark.strip())
    return "；".join(parts)


def _questions(answers: Sequence[Answer]) -> list[tuple[Answer, Answer | None]]:
    """The survey questions answered, each with the recorded answer that explains it."""
    questions: list[tuple[Answer, Answer | None]] = []
    for answer in answers:
        if answer.question_id == CONSENT_QUESTION_ID:
            continue
        if questions and answer.kind == "recording":
            main, follow_up = questions[-1]
            if (
                follow_up is None
                and main.kind != "recording"
                and answer.label.startswith(main.label)
            ):
                questions[-1] = (main, answer)
                continue
        questions.append((answer, None))
    return questions


def _describe(main: Answer, follow_up: Answer | None, transcripts: Mapping[str, str]) -> str:
    def said(answer: Answer) -> str:
        return (transcripts.get(answer.question_id) or "").strip()

    if main.kind == "recording":
        text = said(main) or ("已录音" if main.recording is not None else main.value or "无")
        # a transcription given up is said so, never left looking unrecorded
        if text == FAILED_TEXT:
            text = f"已录音，{FAILED_TEXT}"
        return f"{main.label}：{text}"
    text = main.value or main.keys or "未作答"
    # The reason is recorded as a follow-up answer, or as part of the answer itself.
    explained = follow_up or main
    if explained.recording is not None:
        transcript = said(explained)
        if transcript == FAILED_TEXT:
            reason = "说明原因" if main.kind == "scale" else ""
            text += f"（已录音{reason}，{FAILED_TEXT}）"
        elif main.kind == "scale":
            text += f"（原因：{transcript}）" if transcript else "（已录音说明原因）"
        elif main.kind == "choice" and follow_up is not None and _asked(main, follow_up):
            # what the follow-up asked, as its label says: 涉及单位部门, 不满意原因
            text += f"（{_asked(main, follow_up)}：{transcript or '已录音'}）"
        else:
            text += f"（{transcript}）" if transcript else "（已录音）"
    return f"{main.label}：{text}"


def _asked(main: Answer, follow_up: Answer) -> str:
    return follow_up.label.removeprefix(main.label)


def _concern(answer: Answer, follow_up: Answer | None = None) -> str | None:
    """``label(value)`` when the answer calls for a follow-up, else None.

    A choice does when it is 不满意, or when the script asked about it (许昌's 涉及单位部门
    follows every answer that reports a problem)."""
    if answer.kind == "choice" and answer.value:
        asked_why = "不满意" in answer.value or follow_up is not None
        return f"{answer.label}({answer.value})" if asked_why else None
    if answer.kind == "scale" and answer.score is not None:
        return f"{answer.label}({answer.score})" if answer.score >= FOLLOW_UP_MIN_SCORE else None
    if answer.kind == "yesno" and answer.value:
        yes_is_adverse = any(word in answer.label for word in _YES_IS_ADVERSE)
        adverse = "是" if yes_is_adverse else "否"
        return f"{answer.label}({adverse})" if answer.value.startswith(adverse) else None
    return None
