"""Generated exports fed to ``callcenter import``: CSV bytes (UTF-8, GBK, odd quoting,
headers), XLSX workbooks made with openpyxl, and mutated bytes of a real workbook.

The import either returns a report that adds up or refuses the file with
``ImportFileError``; anything else is a crash, a ledger error included, since what a
file holds must never make the write of its good rows fail.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from callcenter.calls.store import Ledger
from callcenter.cases.columns import FIELDS, parse_mapping
from callcenter.cases.importer import ImportReport, import_cases
from callcenter.cases.store import CaseImport
from callcenter.kernel.errors import ImportFileError
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally

pytestmark = pytest.mark.fuzz

BUREAU = "义马市市场监督管理局"
HEADERS = [name for tiers in FIELDS.values() for names in tiers for name in names]
REAL_HEADER = ["办件编号", "办理窗口", "所属单位", "办理事项", "申请人", "称谓", "企业名称"]
REAL_HEADER += ["联系电话", "办结日期", "是否投诉"]
UNITS = ["城区市场监管所", "政务服务中心市场监管窗口", "千秋市场监管所", BUREAU, "大厅窗口"]

# cells an export might really hold, and some it should not
plausible_text = st.sampled_from(
    [
        *UNITS,
        "YM2026100001",
        "YM-X-1",
        "企业变更登记",
        "王伟",
        "先生",
        "女士",
        "男",
        "女",
        "13800000001",
        "0398-5831315",
        "5831315",
        "+86 138 0000 0001",
        "2026-10-09",
        "2026/10/9 15:30:00",
        "2026年10月9日",
        "20261009",
        "2026-13-45",
        "是",
        "否",
        "1",
        "0",
        "√",
        "窗口",
        "所",
        "局",
        "",
        " ",
        "-",
        '"',
        '""',
        "\n",
    ]
)
any_text = st.text(max_size=40) | st.text(alphabet='",;\t|\r\n =*（）', max_size=10)
header_text = st.sampled_from(HEADERS) | st.text(max_size=12)
cell_text = plausible_text | any_text | st.integers().map(str) | st.floats().map(str)


# plausible values of each column of REAL_HEADER; a small pool of case numbers, so the
# same case comes back with other values (the comparison with the ledger, --update)
# any text at all where an export has free text: control characters, long names
free_text = st.text(min_size=1, max_size=130)
REAL_VALUES = [
    st.integers(1, 60).map(lambda i: f"YM{i:04d}"),
    st.sampled_from(UNITS) | free_text,
    st.sampled_from([BUREAU, "", "外县市场监督管理局"]) | free_text,
    st.sampled_from(["企业变更登记", "食品经营许可证核发", "营业执照补领"]) | free_text,
    st.sampled_from(["王伟", "李娜", "张强", ""]) | free_text,
    st.sampled_from(["先生", "女士", "男", "女", "", "同志"]),
    st.sampled_from(["", "义马市某某商贸有限公司"]) | free_text,
    st.sampled_from(["13800000001", "139 0000 0002", "0398-5831315", "5831315", "12345"]),
    st.sampled_from(["2026-10-09", "2026/10/9", "2026年10月9日", "20261009", "2026-02-30"]),
    st.sampled_from(["是", "否", "", "1", "0", "也许"]),
]


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A header row, maybe below title rows, then data rows of uneven width: half the
    time the columns of a real export with mostly plausible values."""
    titles = draw(st.lists(st.lists(cell_text, max_size=3), max_size=2))
    if draw(st.booleans()):
        order = draw(st.permutations(range(len(REAL_HEADER))))
        header = [REAL_HEADER[i] for i in order]
        rows = []
        for _ in range(draw(st.integers(0, 8))):
            row = [
                draw(REAL_VALUES[i]) if draw(st.integers(0, 15)) else draw(cell_text) for i in order
            ]
            if draw(st.integers(0, 7)) == 0:  # a short row
                row = row[: draw(st.integers(0, len(row)))]
            rows.append(row)
        return [*titles, header, *rows]
    header = draw(st.lists(header_text, min_size=0, max_size=14))
    width = max(len(header), 1)
    rows = draw(st.lists(st.lists(cell_text, min_size=0, max_size=width + 2), max_size=8))
    return [*titles, header, *rows]


def _quote(cell: str, sep: str, style: int) -> str:
    if style == 0:  # as csv.writer would
        if any(c in cell for c in f'"{sep}\r\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    if style == 1:  # every cell quoted, quotes left alone (a common bad export)
        return f'"{cell}"'
    return cell  # nothing quoted at all


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    table = draw(tables())
    sep = draw(st.sampled_from([",", "\t", ";", "|"]))
    style = draw(st.integers(0, 2))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(sep.join(_quote(c, sep, style) for c in row) for row in table)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"] * 2 + ["utf-16"]))
    data = text.encode(encoding, errors="replace")
    # damaged now and then; mostly whole, so most inputs reach the rows
    return _mutate_bytes(draw, data) if draw(st.integers(0, 3)) == 0 else data


def _mutate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """A few flipped, dropped, inserted or cut bytes, or none."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 3))
        at = draw(st.integers(0, max(len(out), 1) - 1)) if out else 0
        if op == 0 and out:
            out[at] = draw(st.integers(0, 255))
        elif op == 1 and out:
            del out[at : at + draw(st.integers(1, 16))]
        elif op == 2:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del out[at:]
    return bytes(out)


# --map now and then, mostly naming a header the export has
mappings = st.lists(
    st.tuples(st.sampled_from(REAL_HEADER) | header_text, st.sampled_from([*FIELDS, "-"])).map(
        lambda hf: f"{hf[0]}={hf[1]}"
    ),
    max_size=2,
) | st.just([])
mappings = st.integers(0, 3).flatmap(lambda n: mappings if n == 0 else st.just([]))
options = st.fixed_dictionaries(
    {"update": st.booleans(), "strict": st.booleans(), "mapping": mappings}
)


def run_import(ledger: Ledger, path: Path, opts: dict[str, object]) -> None:
    """One input: the report must add up; ImportFileError is the only refusal."""
    try:
        mapping = parse_mapping(opts["mapping"])  # type: ignore[arg-type]
    except ValueError:
        mapping = {}  # the command line refuses such a --map before reading the file
    report = import_cases(
        path,
        CaseImport(ledger.sessions),
        BUREAU,
        mapping=mapping,
        update=bool(opts["update"]),
        strict=bool(opts["strict"]),
    )
    check_report(report, bool(opts["update"]))


def check_report(r: ImportReport, update: bool) -> None:
    assert r.rows == len(r.rejected) + r.imported + r.already_present or r.strict_refused
    assert len(r.differing) <= r.already_present
    assert r.updated == (len(r.differing) if update else 0)
    assert all(bad.reason for bad in r.rejected)


def db_of(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["db_url"])


@fuzz_settings
@given(data=csv_documents(), opts=options)
def test_csv_bytes(
    ledger: Ledger,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    data: bytes,
    opts: dict[str, object],
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    with tally(f"importer csv [{db_of(request)}]").one(ImportFileError):
        run_import(ledger, path, opts)


xlsx_cells = (
    cell_text.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
    | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates(date(1900, 3, 1), date(9999, 12, 31))
    | st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31))
    | st.times()
    | st.booleans()
    | st.none()
)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if draw(st.integers(0, 7)) == 0:  # a sheet before the export's: the first is read
        book.create_sheet("说明", 0).append(["导出说明"])
    for row in draw(tables()):
        # a cell of another type now and then (numbers, dates, times, booleans, blanks);
        # headers are left as they are, so most workbooks get past the header row
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", c)
                if c in HEADERS or draw(st.integers(0, 5))
                else draw(xlsx_cells)
                for c in row
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@fuzz_settings
@given(data=workbooks(), opts=options)
def test_xlsx_workbooks(
    ledger: Ledger,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    data: bytes,
    opts: dict[str, object],
) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    with tally(f"importer xlsx generated [{db_of(request)}]").one(ImportFileError):
        run_import(ledger, path, opts)


def real_workbook() -> bytes:
    """An export as the business system writes it: a title row, the header, 30 cases."""
    rng = random.Random(7)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年10月办结事项导出"])
    sheet.append(REAL_HEADER)
    for i in range(30):
        sheet.append(
            [
                f"YM20261{i:05d}",
                rng.choice(UNITS),
                BUREAU,
                rng.choice(["企业变更登记", "食品经营许可证核发"]),
                rng.choice(["王伟", "李娜", "张强"]),
                rng.choice(["先生", "女士", ""]),
                rng.choice(["", "义马市某某商贸有限公司"]),
                13800000000 + i if i % 3 else f"0398-58{i:05d}",
                date(2026, 10, 1 + i % 28) if i % 2 else f"2026/10/{1 + i % 28}",
                rng.choice(["是", "否", None]),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


REAL = real_workbook()
with zipfile.ZipFile(io.BytesIO(REAL)) as _z:
    MEMBERS = {name: _z.read(name) for name in _z.namelist()}


@st.composite
def mutated_workbooks(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return _mutate_bytes(draw, REAL)
    # inside the zip: the XML of one part changed, the rest intact, so the reader
    # gets past the archive and into the sheet, strings and styles
    name = draw(st.sampled_from(sorted(MEMBERS)))
    members = dict(MEMBERS)
    part = members[name]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.integers(0, 2))
        at = draw(st.integers(0, len(part)))
        if op == 0:
            part = (
                part[:at]
                + draw(st.sampled_from([b"<", b">", b'"', b"&", b"1", b"-1", b"E"]))
                + part[at:]
            )
        elif op == 1:
            part = part[:at] + part[at + draw(st.integers(1, 64)) :]
        else:
            part = part[:at] + draw(st.binary(max_size=16)) + part[at:]
    members[name] = part
    if draw(st.integers(0, 9)) == 0:
        del members[name]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for n, content in members.items():
            z.writestr(n, content)
    return buffer.getvalue()


@fuzz_settings
@given(data=mutated_workbooks(), opts=options)
def test_xlsx_mutated(
    ledger: Ledger,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    data: bytes,
    opts: dict[str, object],
) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    with tally(f"importer xlsx mutated [{db_of(request)}]").one(ImportFileError):
        run_import(ledger, path, opts)


def test_the_real_workbook_imports(ledger: Ledger, tmp_path: Path) -> None:
    """The workbook the mutations start from is itself a good export."""
    path = tmp_path / "real.xlsx"
    path.write_bytes(REAL)
    report = import_cases(path, CaseImport(ledger.sessions), BUREAU)
    assert (report.rows, report.imported, report.rejected) == (30, 30, [])
