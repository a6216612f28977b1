"""The 整改台账 of a month as XLSX: the columns exactly, one row per ticket opened in the
month, every cell text, each round in its column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.tickets.board import Filters
from callcenter.tickets.export import COLUMNS, export_xlsx, ledger_rows
from callcenter.tickets.importer import import_ratings
from callcenter.tickets.machine import Conclusion, ContactMethod
from callcenter.tickets.service import TicketService
from callcenter.transcription.store import TranscriptStore
from tests.tickets.fixtures import STATION, add_case, answers, beijing, finished_call


def _month(ledger: Ledger, service: TicketService, clock: FixedClock, tmp_path: Path) -> Path:
    liaison, supervisor = service.actor("lianluo1"), service.actor("jiwei1")
    # A: a call on Tuesday 10 February, contacted and reported in time, satisfied
    clock.set(beijing(2026, 2, 10, 10))
    a_case = add_case(ledger, "YM-2026-0301", name="赵六")
    call = finished_call(ledger, "a1", a_case, beijing(2026, 2, 10, 9, 55), answers(q2=4))
    TranscriptStore(ledger.sessions).done("a1", "q2_reason", "窗口工作人员态度冷淡。", "vosk")
    a = service.on_call_finished(call) or 0
    clock.set(beijing(2026, 2, 10, 15))
    service.contact(a, liaison, ContactMethod.PHONE, "已致歉")
    clock.set(beijing(2026, 2, 11, 9))
    service.report(a, liaison, "已对窗口人员批评教育")
    service.revisits_due()
    clock.set(beijing(2026, 2, 11, 10))
    service.record_revisit(a, 1, None, True)
    # B: contacted late, sent back, then accountability
    clock.set(beijing(2026, 2, 12, 9))
    b_case = add_case(ledger, "YM-2026-0302", name="孙七")
    b = service.on_call_finished(
        finished_call(ledger, "b1", b_case, beijing(2026, 2, 12, 8, 50), answers(q5=5))
    )
    assert b is not None
    clock.set(beijing(2026, 2, 14, 10))  # due Friday 13 at 09:00
    service.contact(b, liaison, ContactMethod.VISIT, "上门")
    service.report(b, liaison, "第一次整改")
    service.revisits_due()
    service.record_revisit(b, 1, None, False)
    service.verify(b, supervisor, False, Conclusion.RETURNED, "整改不到位")
    service.report(b, liaison, "第二次整改")
    service.revisits_due()
    clock.set(beijing(2026, 2, 24, 10))
    service.record_revisit(b, 2, None, None)
    service.verify(b, supervisor, False, Conclusion.ACCOUNTABILITY, "拒不整改，问责")
    # C: a rating of a case whose matter, as exported, looks like a formula
    ledger.add_case(
        "YM-2026-0303",
        STATION,
        "周八",
        "13800000000",
        '=HYPERLINK("http://x","点击")',
        date(2026, 2, 2),
    )
    ratings = tmp_path / "r.csv"
    ratings.write_text(
        '办件编号,评价渠道,评价等级,评价内容,评价时间\nYM-2026-0303,APP,差评,"=1+1",2026-02-20 10:00\n',
        encoding="utf-8",
    )
    import_ratings(ratings, service)
    # opened in March: not in February's
    clock.set(beijing(2026, 3, 2, 10))
    d_case = add_case(ledger, "YM-2026-0304")
    service.on_call_finished(
        finished_call(ledger, "d1", d_case, beijing(2026, 3, 2, 9), answers(q1=4))
    )
    now = beijing(2026, 3, 2, 12)
    tickets = [line.ticket for line in service.board.lines(None, Filters(month="2026-02"), now)]
    return export_xlsx(ledger_rows(tickets, service.call, now), tmp_path / "整改台账.xlsx")


def test_the_month_in_the_columns_of_the_form(
    ledger: Ledger, service: TicketService, clock: FixedClock, tmp_path: Path
) -> None:
    path = _month(ledger, service, clock, tmp_path)
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "整改台账"
    assert rows[0] == COLUMNS
    assert COLUMNS == (
        "工单号", "回访单位", "被回访单位", "回访事项", "不满意内容", "责任单位",
        "联系时间", "整改情况", "再回访结果", "督查核实结论", "办结时间", "是否超期",
    )  # fmt: skip
    # an empty cell reads back as None
    table = [{k: v or "" for k, v in zip(COLUMNS, r, strict=True)} for r in rows[1:]]
    assert [r["工单号"] for r in table] == ["T2026-0001", "T2026-0002", "T2026-0003"]
    a, b, c = table
    assert a["回访单位"] == "义马市市场监督管理局"
    assert a["责任单位"] == "义马市市场监督管理局千秋所"
    assert a["被回访单位"] == "赵六先生"
    assert a["回访事项"] == "个体工商户设立登记"
    assert a["不满意内容"] == "服务态度：不太满意；服务态度不满意情形：窗口工作人员态度冷淡。"
    assert a["联系时间"] == "2026-02-10 15:00（电话回访）"
    assert a["整改情况"] == "联系情况：已致歉；整改报告（2026-02-11 09:00）：已对窗口人员批评教育"
    assert a["再回访结果"] == "满意（2026-02-11 10:00）"
    assert (a["督查核实结论"], a["办结时间"], a["是否超期"]) == ("", "2026-02-11 10:00", "否")
    assert b["不满意内容"] == "办事效率：很不满意；办事效率不满意情形：已录音（待转写）"
    assert b["再回访结果"] == "第1轮：不满意（2026-02-14 10:00）；第2轮：未接通（2026-02-24 10:00）"
    assert b["督查核实结论"] == (
        "第1轮：退回重新整改（申请人不满意；整改不到位）；"
        "第2轮：启动问责，办结（申请人不满意；拒不整改，问责）"
    )
    assert b["整改情况"].startswith("第1轮：联系情况：上门；整改报告")
    assert b["是否超期"] == "是"
    assert (c["不满意内容"], c["责任单位"]) == ("APP评价“差评”：=1+1", "义马市市场监督管理局千秋所")
    assert c["回访事项"] == '=HYPERLINK("http://x","点击")'  # words, not a link
    # imported on 24 February, not contacted by the 25th: still open and overdue
    assert (c["联系时间"], c["办结时间"], c["是否超期"]) == ("", "", "是")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)
