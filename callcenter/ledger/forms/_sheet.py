"""Writing form cells: every value text (never a formula), and the workbook saved whole
or not at all, as ``kernel.workbook`` does for the one-sheet ledgers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from callcenter.calls.records import AnswerView
from callcenter.ledger.record import CallRecord

_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
# characters Excel refuses in a sheet's title
_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def put(
    sheet: Worksheet, ref: str, value: str | int, *, bold: bool = False, centre: bool = False
) -> None:
    """Write one cell: text stays text, a count a number; framed, wrapped."""
    cell = sheet[ref]
    if isinstance(value, int):
        cell.value = value
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        cell.number_format = "@"
    cell.alignment = CENTRE if centre else WRAP
    cell.border = BOX
    if bold:
        cell.font = Font(bold=True)


def table(
    sheet: Worksheet,
    columns: Sequence[str],
    rows: Sequence[Sequence[str | int]],
    widths: Sequence[float],
) -> None:
    """A header row and rows below it, from A1."""
    for i, (name, width) in enumerate(zip(columns, widths, strict=True)):
        letter = chr(65 + i)
        sheet.column_dimensions[letter].width = width
        put(sheet, f"{letter}1", name, bold=True, centre=True)
    for r, row in enumerate(rows, start=2):
        for i, value in enumerate(row):
            put(sheet, f"{chr(65 + i)}{r}", value)
    sheet.freeze_panes = "A2"


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet title Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    base = _TITLE_BAD.sub("_", text)[:31] or "表"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    taken.add(title)
    return title


def answer(record: CallRecord, question_id: str) -> AnswerView | None:
    return next((a for a in record.answers if a.question_id == question_id), None)


def said(record: CallRecord, question_id: str) -> str:
    """An answer in words: the option or digits, or what a recording says (its transcript,
    else that it was recorded); empty when the question was not answered."""
    a = answer(record, question_id)
    if a is None:
        return ""
    if a.kind == "recording":
        if a.recording is None:
            return ""
        return (a.recording.transcript or "").strip() or "已录音"
    return a.value or a.keys or ""
