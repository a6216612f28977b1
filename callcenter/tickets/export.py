"""整改台账: one month of tickets as an Excel workbook.

One row per ticket opened in the month; every cell is text (an answer that begins with
``=`` stays words, never becomes a formula). 回访单位 is the 局 that followed the case
up, 责任单位 the 窗口 or 所 that handled it and rectifies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callcenter.calls.records import AttemptView
from callcenter.kernel.workbook import write_sheet
from callcenter.tickets import wording
from callcenter.tickets.records import TicketView

COLUMNS = (
    "工单号",
    "回访单位",
    "被回访单位",
    "回访事项",
    "不满意内容",
    "责任单位",
    "联系时间",
    "整改情况",
    "再回访结果",
    "督查核实结论",
    "办结时间",
    "是否超期",
)
SHEET_TITLE = "整改台账"
_WIDTHS = (14, 22, 26, 26, 48, 24, 20, 48, 22, 36, 18, 10)
_WRAPPED = {"不满意内容", "整改情况", "再回访结果", "督查核实结论", "联系时间"}


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 整改台账, in the order of ``COLUMNS``."""

    values: tuple[str, ...]


def ledger_row(ticket: TicketView, call: AttemptView | None, now: datetime) -> LedgerRow:
    return LedgerRow(
        (
            ticket.number,
            ticket.bureau,
            ticket.case.applicant,
            ticket.case.matter,
            wording.complaint(ticket, call),
            ticket.unit,
            wording.contact(ticket),
            wording.rectification(ticket),
            wording.revisit(ticket),
            wording.verification(ticket),
            wording.when(ticket.closed_at),
            wording.overdue(ticket, now),
        )
    )


def ledger_rows(
    tickets: Iterable[TicketView],
    call_of: Callable[[str], AttemptView | None],
    now: datetime,
) -> list[LedgerRow]:
    """The rows of ``tickets``, oldest first; ``call_of`` reads a ticket's call."""
    ordered = sorted(tickets, key=lambda t: (t.opened_at, t.id))
    return [
        ledger_row(t, None if t.attempt_id is None else call_of(t.attempt_id), now) for t in ordered
    ]


def export_xlsx(rows: Iterable[LedgerRow], path: Path | str) -> Path:
    """Write the rows under a header of ``COLUMNS``, every cell text; the file appears
    complete or not at all."""
    widths = dict(zip(COLUMNS, _WIDTHS, strict=True))
    values = (row.values for row in rows)
    return write_sheet(path, SHEET_TITLE, COLUMNS, values, widths=widths, wrapped=_WRAPPED)
