"""The reports as workbooks: one sheet per table, headers in Chinese, counts and scores
as numbers, rates as percentages (kernel.workbook writes them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from callcenter.kernel.workbook import Percent, Sheet, Value, write_sheets
from callcenter.reports.sheets import Table

WIDE = {"单位": 24, "窗口": 24, "问题": 20, "选项": 16, "期间": 22, "理由": 40}


def export_xlsx(tables: Sequence[Table], path: Path) -> Path:
    return write_sheets(path, [_sheet(t) for t in tables])


def _sheet(table: Table) -> Sheet:
    rows: list[list[Value]] = [
        [Percent(float(c.value)) if c.kind == "pct" and c.value is not None else c.value for c in r]  # type: ignore[arg-type]
        for r in table.rows
    ]
    widths = {c: WIDE.get(c, max(10.0, 2.2 * len(c))) for c in table.columns}
    return Sheet(table.title, table.columns, rows, widths)
