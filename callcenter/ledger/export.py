"""The 台账 as an Excel workbook, the form units send to the 局办公室 every month."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from callcenter.ledger.taizhang import COLUMNS, TaizhangRow

SHEET_TITLE = "电话回访登记台账"

# In characters; a CJK character is about two wide in Excel's units. The two free-text
# columns are wide and wrap rather than stretch the sheet.
_WIDTHS = {
    "回访单位": 22,
    "回访时间": 18,
    "被回访单位": 28,
    "回访事项": 28,
    "电话记录": 60,
    "备注": 36,
}
_WRAPPED = {"回访事项", "电话记录", "备注"}


def export_xlsx(rows: Iterable[TaizhangRow], path: Path | str) -> Path:
    """Write ``rows`` under a header of ``COLUMNS`` to ``path``; returns the path.

    The file appears complete or not at all, so a reader never opens half a workbook.
    """
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = SHEET_TITLE
    _append_text(sheet, COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in rows:
        _append_text(sheet, row.as_tuple())
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS[name]
        if name in _WRAPPED:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
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


def _append_text(sheet: Worksheet, values: Sequence[str]) -> None:
    """Append a row whose every cell is text, whatever it starts with.

    openpyxl stores a string that starts with "=" as a formula, and a spreadsheet acts
    on one starting with = + - @; an applicant's name or matter comes from an imported
    file and must never become a live formula (a link, a command) in the 台账.
    """
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
