"""The 台账 as an Excel workbook, the form units send to the 局办公室 every month."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from callcenter.kernel.workbook import write_sheet
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
    """Write ``rows`` under a header of ``COLUMNS`` to ``path``, every cell text; returns
    the path, which appears complete or not at all."""
    return write_sheet(
        path,
        SHEET_TITLE,
        COLUMNS,
        (row.as_tuple() for row in rows),
        widths=_WIDTHS,
        wrapped=_WRAPPED,
    )
