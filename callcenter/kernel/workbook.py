"""Writing a one-sheet Excel workbook of text, the form every ledger the product hands
out takes (the 台账, the 整改台账); and workbooks of several typed sheets, the reports'.

Every cell is text, whatever it starts with: openpyxl stores a string that starts with
"=" as a formula, and a spreadsheet acts on one starting with = + - @; a name or matter
comes from an imported file and must never become a live formula (a link, a command).
Control characters, which XLSX text may not hold, are dropped. The file appears complete
or not at all, so a reader never opens half a workbook.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


def write_sheet(
    path: Path | str,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths: Mapping[str, float],
    wrapped: Collection[str] = (),
) -> Path:
    """Write ``rows`` under a bold header of ``columns`` to ``path``; returns the path.
    ``widths`` are in characters (a CJK character is about two); ``wrapped`` columns wrap
    rather than stretch the sheet."""
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = title
    for column, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = widths[name]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            cell.number_format = "@"
            if columns[column - 1] in wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return save(workbook, path)


@dataclass(frozen=True)
class Percent:
    """A rate kept as a number and shown as a percentage: 0.835 is 83.50%."""

    value: float


Value = str | int | float | Percent | None


@dataclass(frozen=True)
class Sheet:
    """One table of a report: numbers stay numbers, rates percentages, text text."""

    title: str  # at most 31 characters, as Excel allows
    columns: Sequence[str]
    rows: Sequence[Sequence[Value]]
    widths: Mapping[str, float] = field(default_factory=dict)  # 12 characters otherwise


def write_sheets(path: Path | str, sheets: Sequence[Sheet]) -> Path:
    """Write each of ``sheets`` as a sheet of one workbook; text cells are kept as text,
    as ``write_sheet`` keeps them, so none becomes a formula."""
    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for data in sheets:
        sheet = workbook.create_sheet(data.title[:31])
        for column, name in enumerate(data.columns, start=1):
            cell = sheet.cell(row=1, column=column, value=name)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = data.widths.get(name, 12)
        for number, row in enumerate(data.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=number, column=column)
                if isinstance(value, Percent):
                    cell.value = value.value
                    cell.number_format = "0.00%"
                elif isinstance(value, int | float):
                    cell.value = value
                    cell.number_format = "0" if isinstance(value, int) else "0.00"
                elif value is not None:
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.data_type = "s"
                    cell.number_format = "@"
        sheet.freeze_panes = "A2"
    return save(workbook, path)


def save(workbook: Workbook, path: Path | str) -> Path:
    """Write ``workbook`` to ``path`` whole or not at all: a reader never sees half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        workbook.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
