"""信阳's 附表3 (市住建局涉企服务主体统计表) as an import form, and the case handler (办案人)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from callcenter.calls.store import Ledger
from callcenter.cases.columns import FORMS
from callcenter.cases.importer import import_cases
from callcenter.cases.store import CaseImport
from callcenter.cases.tables import Case
from callcenter.kernel.errors import ImportFileError

BUREAU = "信阳市住房和城乡建设局"
# the document's header, as typed in its table (spaces and half-width brackets included)
HEADER = ["序号", "单位", "姓名", "时间", "地点", "涉企事宜", "工作完成情况",
          "服务对象 (企业)", "企业 联系人", "企业联系人 电话号码", "备注"]  # fmt: skip


def form_file(tmp_path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["市住建局 11月份涉企服务主体统计表"])
    ws.append(["制表:", "建筑市场监管科"])
    ws.append(["时间:", "2026-11-25"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    ws.append([4])  # numbered rows of the template left empty
    ws.append([5])
    ws.append(["说明"])
    path = tmp_path / "fubiao3.xlsx"
    wb.save(path)
    return path


ROWS: list[list[object]] = [
    [1, "建筑市场监管科", "张强", date(2026, 11, 3), "局机关", "建筑业企业资质延续",
     "已办结", "信阳建工集团有限公司", "刘敏", "13912345678", ""],
    [2, "城建科", "王芳", "2026年11月20日", "现场", "施工许可证核发",
     "已办结", "豫南路桥有限公司", "陈刚", "0376-6221234", "加急"],
    [3, "城建科", "王芳", "2026-11-21", "现场", "质量监督登记",
     "已办结", "某某置业有限公司", "赵丽", "12345", ""],
]  # fmt: skip


def test_fubiao3_rows_become_cases_with_their_handler(ledger: Ledger, tmp_path: Path) -> None:
    path = form_file(tmp_path, ROWS)
    report = import_cases(path, CaseImport(ledger.sessions), BUREAU, form=FORMS["附表3"])
    assert (report.rows, report.imported) == (3, 2)
    # the bad row by its row number in the sheet (title rows counted), as for any import
    assert [(r.row, r.reason) for r in report.rejected] == [
        (7, "电话 '12345' 不是有效的手机或固定电话号码")
    ]
    with ledger.sessions() as s:
        cases = {c.applicant_org: c for c in s.execute(select(Case)).scalars()}
    first = cases["信阳建工集团有限公司"]
    assert (first.applicant_name, first.phone, first.matter) == (
        "刘敏",
        "13912345678",
        "建筑业企业资质延续",
    )
    assert (first.handler, first.completed_on) == ("张强", date(2026, 11, 3))
    assert first.case_no.startswith("附表3-20261103-")
    second = cases["豫南路桥有限公司"]
    assert (second.handler, second.completed_on) == ("王芳", date(2026, 11, 20))
    # the same form again adds nothing: the derived numbers are the same
    again = import_cases(path, CaseImport(ledger.sessions), BUREAU, form=FORMS["附表3"])
    assert (again.imported, again.already_present, again.kept_differing) == (0, 2, 0)


def test_fubiao3_without_the_form_is_refused_naming_what_is_missing(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = form_file(tmp_path, ROWS[:1])
    with pytest.raises(ImportFileError, match="missing 办件编号"):
        import_cases(path, CaseImport(ledger.sessions), BUREAU)


def test_a_handler_column_of_an_export(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "办件编号,办理窗口,办理事项,申请人,联系电话,办结日期,办案人\n"
        "XC001,执法稽查科,行政处罚决定,周杰,13800000001,2026-11-03,孙立\n",
        encoding="utf-8",
    )
    report = import_cases(path, CaseImport(ledger.sessions), "许昌市市场监督管理局")
    assert report.imported == 1
    with ledger.sessions() as s:
        assert s.execute(select(Case.handler)).scalar_one() == "孙立"
