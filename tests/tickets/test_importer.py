"""差评 from other channels: a ratings file with broken rows opens tickets for the good
差评, reports every bad row by number, and opens nothing new when imported again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from callcenter.calls.store import Ledger
from callcenter.kernel.errors import ImportFileError
from callcenter.tickets.importer import import_ratings, parse_time
from callcenter.tickets.machine import State
from callcenter.tickets.service import TicketService
from callcenter.tickets.store import TicketQuery
from tests.tickets.fixtures import WINDOW, add_case, beijing

ROWS = [
    ["办件编号", "评价渠道", "评价等级", "评价内容", "评价时间", "经办人"],
    ["YM-2026-0201", "评价器", "不满意", "排队太久，没人引导", "2026-02-10 09:30", "jiwei1"],
    ["YM-2026-0202", "APP", "满意", "", "2026/2/10", ""],
    ["YM-2026-9999", "APP", "非常不满意", "找不到窗口", "2026-02-10", ""],
    ["YM-2026-0201", "评价器", "差评", "第二次评价", "2026年2月11日 10时05分", ""],
    ["", "APP", "不满意", "", "2026-02-10", ""],
    ["YM-2026-0203", "评价器", "四星", "", "2026-02-10", ""],
    ["YM-2026-0203", "", "很不满意", "", "昨天", ""],
    ["", "", "", "", "", ""],
    ["YM-2026-0203", "", "很不满意", "材料要求前后不一致", "2026-02-12 08:00", ""],
]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(",".join(r) for r in rows).encode(encoding))
    return path


@pytest.fixture
def cases(ledger: Ledger, units: None) -> None:
    add_case(ledger, "YM-2026-0201")
    add_case(ledger, "YM-2026-0202")
    add_case(ledger, "YM-2026-0203", unit=WINDOW)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_bad_rows_are_reported_and_the_good_ones_open_tickets(
    tmp_path: Path, service: TicketService, cases: None, encoding: str
) -> None:
    path = _csv(tmp_path / "ratings.csv", ROWS, encoding)
    report = import_ratings(path, service)
    assert report.rows == 8  # the blank row is not counted
    assert (report.bad, len(report.opened), report.already) == (3, 2, 1)
    assert [(r.row, r.reason) for r in report.rejected] == [
        (4, "办件编号 YM-2026-9999 不在台账中，请先导入该办件"),
        (6, "办件编号为空"),
        (7, "评价等级 '四星' 不是 满意 / 基本满意 / 不满意 等评价"),
        (8, "评价时间 '昨天' 不是日期时间"),
    ]
    tickets = {t.case.case_no: t for t in service.store.search(TicketQuery())}
    first = tickets["YM-2026-0201"]
    assert first.state is State.AWAITING_CONTACT
    assert (first.source, first.channel, first.handler) == ("rating", "评价器", "jiwei1")
    assert first.complaint == "评价器评价“不满意”：排队太久，没人引导"
    assert first.cycle == "2026-02"
    assert tickets["YM-2026-0203"].channel == "好差评平台"  # the default for a blank 评价渠道
    assert sorted(report.opened) == sorted(t.number for t in tickets.values())
    # the same file again: nothing new, the same rows rejected
    again = import_ratings(path, service)
    assert (again.opened, again.already, len(again.rejected)) == ([], 3, 4)
    assert len(service.store.search(TicketQuery())) == 2


def test_xlsx_with_a_title_row_and_date_cells(
    tmp_path: Path, service: TicketService, cases: None
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年2月 好差评差评数据导出"])
    sheet.append(["办件号", "评价方式", "满意度", "评价意见", "评价日期"])
    sheet.append(
        ["YM-2026-0202", "窗口评价器", "不太满意", "态度生硬", datetime(2026, 2, 9, 15, 20)]
    )
    sheet.append(["YM-2026-0203", "窗口评价器", "基本满意", "", datetime(2026, 2, 9, 15, 30)])
    book.save(tmp_path / "ratings.xlsx")
    report = import_ratings(tmp_path / "ratings.xlsx", service)
    assert (report.rows, report.bad, len(report.opened), report.rejected) == (2, 1, 1, [])
    (t,) = service.store.search(TicketQuery())
    assert (t.case.case_no, t.channel) == ("YM-2026-0202", "窗口评价器")


def test_a_file_without_the_required_columns_is_refused_whole(
    tmp_path: Path, service: TicketService, cases: None
) -> None:
    path = _csv(tmp_path / "r.csv", [["办件编号", "评价内容"], ["YM-2026-0201", "差"]])
    with pytest.raises(ImportFileError, match="missing 评价等级, 评价时间"):
        import_ratings(path, service)
    assert service.store.search(TicketQuery()) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-10 09:30", beijing(2026, 2, 10, 9, 30)),
        ("2026/2/10", beijing(2026, 2, 10)),
        ("2026年2月11日 10时05分", beijing(2026, 2, 11, 10, 5)),
        ("2026年2月11日 10时05分30秒", beijing(2026, 2, 11, 10, 5).replace(second=30)),
        ("2026-02-10T09:30:15", beijing(2026, 2, 10, 9, 30).replace(second=15)),
        (46063.5, beijing(2026, 2, 10, 12)),
    ],
)
def test_rating_times(value: object, expected: datetime) -> None:
    assert parse_time(value) == expected
