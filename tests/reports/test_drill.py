"""Every count of every report lists exactly the calls, cases or tickets behind it."""

from __future__ import annotations

import pytest

from callcenter.kernel.errors import ReportError
from callcenter.reports import sheets
from callcenter.reports.drill import DrillDown
from callcenter.reports.period import parse_period
from callcenter.reports.service import ReportService
from callcenter.reports.sheets import Drill
from tests.reports.dataset import JIA, JIA_STATION, YI_WINDOW


def test_each_count_is_the_length_of_its_list(service: ReportService, drill: DrillDown) -> None:
    nov, q4 = parse_period("2026-11"), parse_period("2026-Q4")
    tables = [
        *sheets.kpi_tables(service.kpi(nov)),
        *sheets.monthly_tables(service.monthly(nov)),
        *sheets.monthly_tables(service.monthly(nov, JIA)),
        *sheets.grade_tables(service.grades(q4)),
    ]
    checked = 0
    for table in tables:
        for row in table.rows:
            for cell in row:
                if cell.drill is not None:
                    page = drill.page(cell.drill, size=1000)
                    listed = len(page.attempt_ids) + len(page.cases) + len(page.tickets)
                    assert (page.total, listed) == (cell.value, cell.value), (table.title, cell)
                    checked += 1
    assert checked > 150


def test_the_lists_hold_the_right_things(drill: DrillDown) -> None:
    # 甲县一所's two first verifications in November, as tickets
    page = drill.page(Drill("verifications", "2026-11", JIA_STATION))
    assert page.kind == "tickets" and page.total == 2
    assert {t.unit for t in page.tickets} == {JIA_STATION}
    # the 差评 imported as a rating is a ticket of 乙县窗口 with no call
    page = drill.page(Drill("bad", "2026-11", YI_WINDOW))
    assert [t.state for t in page.tickets] == ["待联系"]
    # 甲县's business: cases, newest first, 51 of them, in pages
    first = drill.page(Drill("business", "2026-11", JIA), page=1, size=50)
    second = drill.page(Drill("business", "2026-11", JIA), page=2, size=50)
    assert (first.total, len(first.cases), len(second.cases)) == (51, 50, 1)
    # effective calls are complete first-level calls, never the re-visit calls
    page = drill.page(Drill("effective", "2026-11", JIA), size=100)
    assert page.kind == "calls" and page.total == 42


@pytest.mark.parametrize(
    "bad",
    [
        Drill("nothing", "2026-11", None),
        Drill("business", "2026-13", None),
        Drill("business", "2026-11", "丁县局"),
        Drill("grade", "2026-11", None, value="很好"),
    ],
)
def test_what_cannot_be_listed_is_refused(drill: DrillDown, bad: Drill) -> None:
    with pytest.raises(ReportError):
        drill.page(bad)
