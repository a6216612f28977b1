"""Importing the business system's exports: CSV (UTF-8, GBK) and XLSX, bad rows reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from callcenter.calls.store import Ledger
from callcenter.cases.importer import import_cases, parse_date
from callcenter.cases.store import CaseImport
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.errors import ImportFileError

BUREAU = "义马市市场监督管理局"
HEADER = ["办件编号", "办理窗口", "办理事项", "申请人", "称谓", "联系电话", "办结日期", "是否投诉"]
GOOD = [
    [
        "YM2026100001",
        "城区市场监管所",
        "个体工商户设立登记",
        "王伟",
        "先生",
        "13800000001",
        "2026-10-09",
        "否",
    ],
    [
        "YM2026100002",
        "政务服务中心市场监管窗口",
        "食品经营许可证核发",
        "李娜",
        "女士",
        "0398-5831315",
        "2026/10/10",
        "是",
    ],
    [
        "YM2026100003",
        "千秋市场监管所",
        "企业变更登记",
        "张强",
        "男",
        "139 0000 0003",
        "2026年10月11日",
        "",
    ],
]
BAD = [
    [
        "YM2026100004",
        "城区市场监管所",
        "营业执照补领",
        "赵敏",
        "女士",
        "5831315",
        "2026-10-12",
        "否",
    ],
    [
        "YM2026100005",
        "城区市场监管所",
        "营业执照补领",
        "",
        "女士",
        "13800000005",
        "2026-10-32",
        "否",
    ],
    [
        "YM2026100001",
        "城区市场监管所",
        "个体工商户设立登记",
        "王伟",
        "先生",
        "13800000001",
        "2026-10-09",
        "否",
    ],
    [
        "YM2026100006",
        "城区市场监管所",
        "营业执照补领",
        "孙杰",
        "先生",
        "13800000006",
        "2026-10-13",
        "也许",
    ],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", sep: str = ",") -> Path:
    path.write_bytes("\n".join(sep.join(r) for r in rows).encode(encoding) + b"\n")
    return path


def store(ledger: Ledger) -> CaseImport:
    return CaseImport(ledger.sessions)


def cases(ledger: Ledger) -> dict[str, Case]:
    with ledger.sessions() as s:
        return {c.case_no: c for c in s.execute(select(Case)).scalars()}


def test_utf8_csv_good_and_bad_rows(ledger: Ledger, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "cases.csv", [HEADER, *GOOD, *BAD])
    report = import_cases(f, store(ledger), BUREAU)
    assert (report.rows, report.imported, report.already_present) == (7, 3, 0)
    assert [(r.row, r.reason) for r in report.rejected] == [
        (5, "电话 '5831315' 缺少区号"),
        (6, "申请人为空；办结日期 '2026-10-32' 不是日期"),
        (7, "办件编号 YM2026100001 与第2行重复"),
        (8, "是否投诉 '也许' 不是 是 / 否"),
    ]
    stored = cases(ledger)
    assert set(stored) == {"YM2026100001", "YM2026100002", "YM2026100003"}
    window_case = stored["YM2026100002"]
    assert window_case.phone == "03985831315" and window_case.is_complaint
    assert window_case.completed_on == date(2026, 10, 10) and window_case.title == "女士"
    assert stored["YM2026100003"].title == "先生"
    with ledger.sessions() as s:
        units = {u.name: u for u in s.execute(select(Unit)).scalars()}
    assert units[BUREAU].kind == "bureau"
    assert units["政务服务中心市场监管窗口"].kind == "window"
    assert units["千秋市场监管所"].kind == "station"
    assert units["千秋市场监管所"].parent_id == units[BUREAU].id


def test_reimport_adds_nothing_twice(ledger: Ledger, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "cases.csv", [HEADER, *GOOD])
    first = import_cases(f, store(ledger), BUREAU)
    again = import_cases(f, store(ledger), BUREAU)
    assert (first.imported, again.imported, again.already_present) == (3, 0, 3)
    assert len(cases(ledger)) == 3


def test_gbk_tab_separated_with_title_row(ledger: Ledger, tmp_path: Path) -> None:
    rows = [["2026年10月办结事项导出"], HEADER, *GOOD]
    f = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk", sep="\t")
    report = import_cases(f, store(ledger), BUREAU)
    assert report.encoding == "gbk"
    assert (report.imported, report.rejected) == (3, [])
    assert cases(ledger)["YM2026100001"].applicant_name == "王伟"


def test_utf8_with_bom(ledger: Ledger, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bom.csv", [HEADER, *GOOD], encoding="utf-8-sig")
    report = import_cases(f, store(ledger), BUREAU)
    assert report.encoding == "utf-8-sig" and report.imported == 3


def test_xlsx_with_number_and_date_cells(ledger: Ledger, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["*办件编号", "窗口/所", "所属单位", "事项名称", "申请人姓名", "手机", "办结时间", "投诉件"]
    )
    sheet.append(
        [
            "YM-X-1",
            "东区市场监管所",
            "义马市市场监督管理局",
            "企业变更登记",
            "周涛",
            13800000011,
            date(2026, 10, 3),
            "否",
        ]
    )
    sheet.append(
        [
            "YM-X-2",
            "东区市场监管所",
            "义马市市场监督管理局",
            "企业变更登记",
            "吴娟",
            "12345",
            date(2026, 10, 4),
            "否",
        ]
    )
    sheet.append([None] * 8)  # blank rows are not counted
    sheet.append(
        ["YM-X-3", "东区市场监管所", None, "企业变更登记", "郭洋", 13800000013.0, 46300, "是"]
    )
    f = tmp_path / "cases.xlsx"
    book.save(f)
    report = import_cases(f, store(ledger), BUREAU)
    assert report.encoding == "xlsx" and report.rows == 3
    assert [(r.row, r.reason) for r in report.rejected] == [
        (3, "电话 '12345' 不是有效的手机或固定电话号码")
    ]
    stored = cases(ledger)
    assert stored["YM-X-1"].phone == "13800000011"
    assert stored["YM-X-3"].completed_on == date(2026, 10, 5)  # Excel day 46300
    assert stored["YM-X-3"].is_complaint


def test_missing_columns_name_them(tmp_path: Path, ledger: Ledger) -> None:
    f = write_csv(
        tmp_path / "cols.csv", [["办件编号", "申请人", "办结日期"], ["A", "B", "2026-10-01"]]
    )
    with pytest.raises(ImportFileError) as err:
        import_cases(f, store(ledger), BUREAU)
    message = str(err.value)
    assert "cols.csv" in message
    assert "missing 办件编号" not in message
    assert "办理窗口, 办理事项, 联系电话" in message
    assert "recognised: 办件编号, 申请人, 办结日期" in message


def test_wrong_encoding_names_the_line(tmp_path: Path, ledger: Ledger) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes(",".join(HEADER).encode() + b"\nYM1,\xe9\x20\xff,x\n")
    with pytest.raises(
        ImportFileError, match=r"latin.csv: line 2: bytes e9 20 ff.*neither UTF-8 nor GBK"
    ):
        import_cases(f, store(ledger), BUREAU)


def test_utf16_and_unknown_types_are_refused(tmp_path: Path, ledger: Ledger) -> None:
    f = tmp_path / "u16.csv"
    f.write_bytes(",".join(HEADER).encode("utf-16"))
    with pytest.raises(ImportFileError, match="UTF-16"):
        import_cases(f, store(ledger), BUREAU)
    pdf = tmp_path / "x.pdf"
    pdf.write_text("x")
    with pytest.raises(ImportFileError, match=r"unknown file type '\.pdf'"):
        import_cases(pdf, store(ledger), BUREAU)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip")
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        import_cases(broken, store(ledger), BUREAU)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-09", date(2026, 10, 9)),
        ("2026/10/9 15:30:00", date(2026, 10, 9)),
        ("2026.10.09", date(2026, 10, 9)),
        ("2026年10月9日", date(2026, 10, 9)),
        ("20261009", date(2026, 10, 9)),
    ],
)
def test_date_forms(value: str, expected: date) -> None:
    assert parse_date(value) == expected


def test_a_utf8_bom_before_bytes_that_are_not_utf8_is_named(tmp_path: Path, ledger: Ledger) -> None:
    # found by tests/fuzz/test_importer.py: it raised UnicodeDecodeError
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\nYM1,\x8a\x9e\n")
    with pytest.raises(
        ImportFileError,
        match=r"bom.csv: line 2: bytes 8a 9e 0a are not UTF-8, though the file starts with "
        r"the UTF-8 BOM; save the export as UTF-8 or GBK CSV",
    ):
        import_cases(f, store(ledger), BUREAU)


def test_control_characters_and_long_bureaus_reject_their_row(
    ledger: Ledger, tmp_path: Path
) -> None:
    # found by tests/fuzz/test_importer.py: PostgreSQL refused the whole import
    header = ["办件编号", "办理窗口", "所属单位", "办理事项", "申请人", "联系电话", "办结日期"]
    rows = [
        ["YM1", "城区市场监管所", BUREAU, "企业\x00变更登记", "王伟", "13800000001", "2026-10-09"],
        ["YM2", "城区市场监管所", "局" * 101, "企业变更登记", "李娜", "13800000002", "2026-10-09"],
        ["YM3", "城区市场监管所", BUREAU, "企业变更登记", "张\x1b强", "13800000003", "2026-10-09"],
        ["YM4", "城区市场监管所", BUREAU, "企业变更登记", "赵敏", "13800000004", "2026-10-09"],
    ]
    f = write_csv(tmp_path / "odd.csv", [header, *rows])
    report = import_cases(f, store(ledger), BUREAU)
    assert [(r.row, r.reason) for r in report.rejected] == [
        (2, "办理事项含有控制字符"),
        (3, "所属单位超过100个字"),
        (4, "申请人含有控制字符"),
    ]
    assert report.imported == 1 and set(cases(ledger)) == {"YM4"}


def test_complaint_as_a_number_cell(ledger: Ledger, tmp_path: Path) -> None:
    # a spreadsheet keeps 1 / 0 as numbers, read back as 1.0 / 0.0
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["办件编号", "办理窗口", "办理事项", "申请人", "联系电话", "办结日期", "是否投诉"])
    sheet.append(["N1", "城区市场监管所", "企业变更登记", "王伟", 13800000001, "2026-10-09", 1])
    sheet.append(["N2", "城区市场监管所", "企业变更登记", "李娜", 13800000002, "2026-10-09", 0])
    f = tmp_path / "numbers.xlsx"
    book.save(f)
    report = import_cases(f, store(ledger), BUREAU)
    assert (report.imported, report.rejected) == (2, [])
    stored = cases(ledger)
    assert stored["N1"].is_complaint and not stored["N2"].is_complaint
