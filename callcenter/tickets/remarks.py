"""A call's ticket in the words of the 台账's 备注: ``整改工单T2026-0001（整改中）`` on the
call that opened it, ``整改工单T2026-0001第1轮再回访：满意`` on a re-visit call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from callcenter.tickets.machine import Kind, RevisitResult, State
from callcenter.tickets.tables import Ticket, TicketRound, ticket_number


def opened_remark(kind: str, year: int, seq: int, state: str) -> str:
    return f"{Kind(kind).label}{ticket_number(year, seq)}（{State(state).label}）"


def revisit_remark(kind: str, year: int, seq: int, round: int, result: str | None) -> str:
    said = "" if result is None else f"：{RevisitResult(result).label}"
    return f"{Kind(kind).label}{ticket_number(year, seq)}第{round}轮再回访{said}"


def ticket_remarks(s: Session, attempt_ids: Select[Any]) -> dict[str, str]:
    """{attempt id: remark} for the attempts ``attempt_ids`` selects that opened a ticket
    or re-visited one."""
    parts: dict[str, list[str]] = {}
    opened = s.execute(
        select(Ticket.attempt_id, Ticket.kind, Ticket.year, Ticket.seq, Ticket.state)
        .where(Ticket.attempt_id.in_(attempt_ids))
        .order_by(Ticket.id)
    )
    for attempt_id, kind, year, seq, state in opened:
        if attempt_id is None:
            continue
        parts.setdefault(attempt_id, []).append(opened_remark(kind, year, seq, state))
    revisits = s.execute(
        select(
            TicketRound.revisit_attempt_id,
            Ticket.kind,
            Ticket.year,
            Ticket.seq,
            TicketRound.round,
            TicketRound.revisit_result,
        )
        .join(Ticket, Ticket.id == TicketRound.ticket_id)
        .where(TicketRound.revisit_attempt_id.in_(attempt_ids))
        .order_by(TicketRound.id)
    )
    for attempt_id, kind, year, seq, round_no, result in revisits:
        if attempt_id is None:
            continue
        parts.setdefault(attempt_id, []).append(revisit_remark(kind, year, seq, round_no, result))
    return {k: "；".join(v) for k, v in parts.items()}
