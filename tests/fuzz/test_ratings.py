"""Generated ratings files fed to ``callcenter ticket import``: CSV in UTF-8 or GBK with
the real columns and plausible or garbage values, sometimes damaged.

The import either returns a report that adds up (every row rejected with a reason or
taken; every 差评 taken opened a ticket or found its case's ticket) or refuses the file
with ``ImportFileError``; importing the same file again opens nothing. Anything else
is a crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import ImportFileError
from callcenter.tickets.importer import BAD_GRADES, FIELDS, OTHER_GRADES, import_ratings
from callcenter.tickets.service import TicketService
from callcenter.tickets.store import TicketQuery
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally
from tests.tickets.fixtures import add_case, add_units, beijing, make_service

pytestmark = pytest.mark.fuzz

HEADER = ["办件编号", "评价渠道", "评价等级", "评价内容", "评价时间", "经办人"]
HEADERS = [name for names in FIELDS.values() for name in names]
free_text = st.text(max_size=30) | st.text(alphabet='",;\t\r\n =*（）', max_size=8)
VALUES = [
    st.integers(1, 12).map(lambda i: f"YM-R-{i:03d}") | free_text,
    st.sampled_from(["评价器", "APP", "", "政务服务网"]) | free_text,
    st.sampled_from(sorted(BAD_GRADES | OTHER_GRADES)) | free_text,
    st.sampled_from(["排队太久", "", "态度不好"]) | st.text(max_size=2100),
    st.sampled_from(
        ["2026-02-10 09:30", "2026/2/10", "2026年2月11日 10时05分", "46063.5", "昨天", ""]
    )
    | free_text,
    st.sampled_from(["", "jiwei1", "王办事员"]) | free_text,
]


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    header = HEADER if draw(st.integers(0, 4)) else draw(st.lists(st.sampled_from(HEADERS)))
    rows = [header]
    for _ in range(draw(st.integers(0, 8))):
        row = [draw(v) for v in VALUES[: len(header)]]
        if draw(st.integers(0, 6)) == 0:
            row = row[: draw(st.integers(0, len(row)))]
        rows.append(row)
    text = "\n".join(
        ",".join(
            '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c for c in r
        )
        for r in rows
    )
    data = text.encode(draw(st.sampled_from(["utf-8", "gbk"])), errors="replace")
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at + 1 :]
    return data


@pytest.fixture
def service(ledger: Ledger) -> TicketService:
    add_units(ledger)
    for i in range(1, 9):
        add_case(ledger, f"YM-R-{i:03d}")
    return make_service(ledger, FixedClock(beijing(2026, 2, 13, 16)))


def test_ratings_files(
    service: TicketService, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    count = tally(f"ticket ratings import ({request.node.callspec.params['db_url']})")
    path = tmp_path / "ratings.csv"

    @fuzz_settings
    @given(documents())
    def run(data: bytes) -> None:
        path.write_bytes(data)
        with count.one(ImportFileError):
            report = import_ratings(path, service)
            taken = report.rows - len(report.rejected)
            assert taken >= report.bad == len(report.opened) + report.already
            assert all(bad.reason for bad in report.rejected)
            tickets = len(service.store.search(TicketQuery()))
            again = import_ratings(path, service)
            assert again.opened == []
            assert len(service.store.search(TicketQuery())) == tickets

    run()
