"""Writing a one-sheet Excel workbook of text, the form every ledger the product hands
out takes (the 台账, the 整改台账).

Every cell is text, whatever it starts with: openpyxl stores a string that starts with
"=" as a formula, and a spreadsheet acts on one starting with = + - @; a name or matter
comes from an imported file and must never become a live formula (a link, a command).
Control characters, which XLSX text may not hold, are dropped. The file appears complete
or not at all, so a reader never opens half a workbook.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        workbook.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
