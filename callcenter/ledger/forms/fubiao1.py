"""信阳 附表1 电话回访工作记录表: one filled form per call, each on its own sheet in the
document's layout, and the month's list of them on the first sheet.

Questions are found by the ids of ``ivr_scripts/xinyang_enterprise_followup.yaml``.
回访人记录人 is the system that placed and recorded the call, with the agent who took it
over when one did; 回访时间 the call's time, Beijing time. Numbers are masked as the web
pages mask them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from callcenter.kernel.workbook import save
from callcenter.ledger.forms._sheet import put, said, sheet_title, table
from callcenter.ledger.record import CallRecord
from callcenter.ledger.taizhang import format_call_time
from callcenter.web.masking import mask_phone

TITLE = "电话回访工作记录表"
RECORDER = "电话回访系统"
# (the form's wording, the script's question id), in the form's order
CONTENT = (
    ("涉企工作人员服务态度如何", "q1_attitude"),
    ("办件是否执行了一次性告知制度", "q2_one_time_notice"),
    ("您所办理的事项在几天办结", "q3_days"),
    ("是否存在让办事群众“多头跑”办理", "q4_multiple_trips"),
    ("工作人员是否存在吃、拿、卡、要等不廉洁行为", "q5_integrity"),
)
OVERALL = "q6_overall"
SUGGESTIONS = "q7_suggestions"
DIFFICULTIES = "q8_difficulties"
LIST_TITLE = "月度回访清单"
LIST_COLUMNS = [
    "序号", "被访人", "电话", "企业名称", "服务态度", "一次性告知", "几天办结", "多头跑",
    "吃拿卡要", "总体评价", "改进意见及建议", "企业发展存在的困难问题", "回访时间",
    "回访人记录人", "备注",
]  # fmt: skip
_LIST_WIDTHS = [6, 10, 14, 24, 10, 10, 8, 8, 8, 8, 30, 30, 17, 16, 30]


def overall_boxes(record: CallRecord) -> str:
    """总体评价 as the form prints it, the box of the answer ticked."""
    value = said(record, OVERALL)
    good, bad = ("☑" if value == "满意" else "□"), ("☑" if value == "不满意" else "□")
    return f"①满意 {good}    ②不满意 {bad}"


def recorder(record: CallRecord) -> str:
    """回访人记录人: the system, and the agent's own record when an agent took over."""
    if record.agent_remark.strip():
        return f"{RECORDER}；{record.agent_remark.strip()}"
    return RECORDER


def fill(sheet: Worksheet, record: CallRecord) -> None:
    """One 附表1, in the layout of the document: columns A–E."""
    for letter, width in zip("ABCDE", (10, 34, 14, 10, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.merge_cells("A1:E1")
    put(sheet, "A1", TITLE, bold=True, centre=True)
    sheet.merge_cells("A2:A3")
    put(sheet, "A2", "被访人\n基本信息", centre=True)
    put(sheet, "B2", "姓 名", centre=True)
    put(sheet, "C2", record.case.applicant_name)
    put(sheet, "D2", "电 话", centre=True)
    put(sheet, "E2", mask_phone(record.case.phone))
    put(sheet, "B3", "企业名称", centre=True)
    sheet.merge_cells("C3:E3")
    put(sheet, "C3", record.case.applicant_org)
    first = 4
    sheet.merge_cells(f"A{first}:A{first + len(CONTENT) - 1}")
    put(sheet, f"A{first}", "电话回访内容", centre=True)
    for row, (wording, question) in enumerate(CONTENT, start=first):
        put(sheet, f"B{row}", wording)
        sheet.merge_cells(f"C{row}:E{row}")
        put(sheet, f"C{row}", said(record, question))
    row = first + len(CONTENT)
    for label, value in (
        ("总体评价", overall_boxes(record)),
        ("改进意见及建议", said(record, SUGGESTIONS)),
        ("企业发展存在的困难问题", said(record, DIFFICULTIES)),
    ):
        sheet.merge_cells(f"A{row}:B{row}")
        put(sheet, f"A{row}", label, centre=True)
        sheet.merge_cells(f"C{row}:E{row}")
        put(sheet, f"C{row}", value)
        row += 1
    sheet.merge_cells(f"A{row}:E{row}")
    put(sheet, f"A{row}", f"回访人记录人：{recorder(record)}")
    sheet.merge_cells(f"A{row + 1}:E{row + 1}")
    put(sheet, f"A{row + 1}", f"回访时间：{format_call_time(record.attempt.started_at)}")


def list_row(n: int, record: CallRecord) -> list[str | int]:
    ids = [q for _, q in CONTENT] + [OVERALL, SUGGESTIONS, DIFFICULTIES]
    remark = record.taizhang.remark if record.taizhang is not None else ""
    return [
        n, record.case.applicant_name, mask_phone(record.case.phone), record.case.applicant_org,
        *(said(record, q) for q in ids), format_call_time(record.attempt.started_at),
        recorder(record), remark,
    ]  # fmt: skip


def write(records: Sequence[CallRecord], path: Path | str) -> Path:
    """The month's list, then one 附表1 per call answered (a call nobody answered has
    no form to fill; the list shows it with its 备注)."""
    workbook = Workbook()
    listing = workbook.worksheets[0]
    taken = {LIST_TITLE}
    listing.title = LIST_TITLE
    table(listing, LIST_COLUMNS, [list_row(n, r) for n, r in enumerate(records, 1)], _LIST_WIDTHS)
    for n, record in enumerate(records, 1):
        if record.attempt.outcome is None or not record.attempt.outcome.answered:
            continue
        name = record.case.applicant_org or record.case.applicant_name
        fill(workbook.create_sheet(sheet_title(f"{n:03d} {name}", taken)), record)
    return save(workbook, path)
