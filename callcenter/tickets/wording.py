"""A ticket in the words of the 整改台账, the pages and the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from callcenter.calls.records import AttemptView
from callcenter.kernel.clock import BEIJING
from callcenter.tickets.records import RoundView, TicketView


def when(at: datetime | None) -> str:
    """Beijing time to the minute, as the 台账 writes times."""
    return "" if at is None else at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def complaint(ticket: TicketView, call: AttemptView | None) -> str:
    """不满意内容: the answers that opened the ticket, with what the applicant said about
    them where transcribed; for a rating, what it said."""
    if call is None or not ticket.question_ids:
        return ticket.complaint
    parts = []
    for answer in call.answers:
        if answer.question_id not in ticket.question_ids:
            continue
        if answer.kind != "recording":
            parts.append(f"{answer.label}：{answer.value or answer.keys or ''}")
            continue
        recording = answer.recording
        said = (recording.transcript or "").strip() if recording is not None else ""
        parts.append(f"{answer.label}：{said or '已录音（待转写）'}")
    return "；".join(parts) or ticket.complaint


def contact(ticket: TicketView) -> str:
    """联系时间: when (and how) the unit contacted the applicant, each round."""

    def one(r: RoundView) -> str:
        if r.contacted_at is None:
            return ""
        how = f"（{r.contact_method.label}）" if r.contact_method is not None else ""
        return when(r.contacted_at) + how

    return _per_round(ticket, one)


def rectification(ticket: TicketView) -> str:
    """整改情况: what the unit found and reported, each round."""

    def one(r: RoundView) -> str:
        found = f"联系情况：{r.contact_summary}" if r.contact_summary else ""
        done = f"整改报告（{when(r.reported_at)}）：{r.report_text}" if r.report_text else ""
        return "；".join(p for p in (found, done) if p)

    return _per_round(ticket, one)


def revisit(ticket: TicketView) -> str:
    """再回访结果, each round."""

    def one(r: RoundView) -> str:
        if r.revisit_result is None:
            return ""
        return f"{r.revisit_result.label}（{when(r.revisit_at)}）"

    return _per_round(ticket, one)


def verification(ticket: TicketView) -> str:
    """督查核实结论, each verification."""

    def one(r: RoundView) -> str:
        if r.conclusion is None:
            return ""
        satisfied = {True: "满意", False: "不满意", None: "未能联系"}[r.applicant_satisfied]
        return f"{r.conclusion.label}（申请人{satisfied}；{r.verify_text or ''}）"

    return _per_round(ticket, one)


def overdue(ticket: TicketView, now: datetime) -> str:
    """是否超期: a stage done late, or a deadline passed and not met."""
    _, due = ticket.deadline()
    late = ticket.late or (due is not None and now >= due)
    return "是" if late else "否"


def _per_round(ticket: TicketView, one: Callable[[RoundView], str]) -> str:
    """Each round's words; numbered once there is more than one round."""
    shown = [(r.round, text) for r in ticket.rounds if (text := one(r))]
    if len(ticket.rounds) == 1:
        return "；".join(text for _, text in shown)
    return "；".join(f"第{n}轮：{text}" for n, text in shown)
