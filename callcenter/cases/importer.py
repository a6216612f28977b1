"""Import completed cases (办结事项) from the business system's CSV or XLSX export.

CSV may be UTF-8 (with or without BOM) or GBK/GB18030, comma, tab or semicolon
separated; XLSX is read from its first sheet. Column names: :mod:`.columns`. Each bad
row is reported by its row number in the file, with every reason, and left out; the
good rows go in (with ``strict``, nothing goes in while any row is bad). A case number
already in the ledger is compared with its row: importing the same file again adds
nothing, and the rows that differ from the ledger are reported, field by field, and
applied only with ``update``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from callcenter.cases import columns
from callcenter.cases.phones import PhoneError, normalise
from callcenter.cases.store import CaseImport, CaseRow, Difference
from callcenter.kernel.errors import ImportFileError

_HEADER_SEARCH_ROWS = 10
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)
# control characters other than tab and line breaks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Rejected:
    row: int  # as numbered in the file or sheet, header rows included
    reason: str


@dataclass(frozen=True)
class Differing:
    row: int  # as in Rejected
    difference: Difference


@dataclass
class ImportReport:
    path: Path
    encoding: str
    rows: int = 0  # data rows read, blank ones not counted
    imported: int = 0
    already_present: int = 0  # good rows whose case was stored already
    rejected: list[Rejected] = field(default_factory=list)
    # of already_present, those that do not say what the ledger holds
    differing: list[Differing] = field(default_factory=list)
    updated: int = 0  # of differing, changed to what the file says (``update``)
    columns: list[str] = field(default_factory=list)  # how ambiguous headers were read
    strict_refused: bool = False  # ``strict`` and a row was bad: nothing stored

    @property
    def good(self) -> int:
        return self.rows - len(self.rejected)

    @property
    def kept_differing(self) -> int:
        """Rows that differ from the ledger and were left as the ledger has them."""
        return len(self.differing) - self.updated


@dataclass
class ParsedFile:
    path: Path
    encoding: str
    cases: list[CaseRow]
    rejected: list[Rejected]
    rows: int
    row_of: dict[str, int] = field(default_factory=dict)  # case_no -> row number
    columns: list[str] = field(default_factory=list)


def import_cases(
    path: Path,
    store: CaseImport,
    default_bureau: str,
    *,
    mapping: dict[str, str] | None = None,
    update: bool = False,
    strict: bool = False,
    form: columns.ImportForm | None = None,
) -> ImportReport:
    """Check every row of ``path`` and store the good ones; the report lists the rest.

    ``mapping`` (``columns.parse_mapping``) says which header is which field; ``update``
    makes stored cases say what their rows say; ``strict`` stores nothing if a row is bad;
    ``form`` (``columns.FORMS``) reads a bureau's own form, 信阳's 附表3.
    """
    parsed = parse_file(path, default_bureau, mapping, form)
    report = ImportReport(
        path=path,
        encoding=parsed.encoding,
        rows=parsed.rows,
        rejected=parsed.rejected,
        columns=parsed.columns,
    )
    if strict and parsed.rejected:
        report.strict_refused = True
        return report
    if parsed.cases:
        saved = store.save(parsed.cases, update=update)
        report.imported = saved.inserted
        report.already_present = len(parsed.cases) - saved.inserted
        report.differing = [Differing(parsed.row_of[d.case_no], d) for d in saved.differing]
        report.updated = saved.updated
    return report


def parse_file(
    path: Path,
    default_bureau: str,
    mapping: dict[str, str] | None = None,
    form: columns.ImportForm | None = None,
) -> ParsedFile:
    """Read and check every row of ``path``; ImportFileError if it cannot be read at all."""
    rows, encoding = read_rows(path)
    return _check_rows(path, encoding, rows, default_bureau, mapping or {}, form)


def read_rows(path: Path) -> tuple[Iterator[tuple[int, Sequence[object]]], str]:
    """The rows of a CSV (UTF-8 or GBK) or XLSX file, each with its number as the file
    numbers it, and the encoding read; ImportFileError if the file cannot be read. Other
    imports (the ratings of ``callcenter.tickets``) read their files with it too."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path), "xlsx"
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_rows(path)
    raise ImportFileError(f"{path}: unknown file type {suffix!r}; use .csv or .xlsx")


def _find_header(
    path: Path,
    rows: Iterator[tuple[int, Sequence[object]]],
    mapping: dict[str, str],
    form: columns.ImportForm | None = None,
) -> columns.HeaderMatch:
    """The first of the first rows that names every required field, read as its columns
    (a form's headers first, then ``mapping``'s, which must all be in that row)."""
    best = columns.HeaderMatch()
    merged = {**form.header_map(), **mapping} if form is not None else mapping
    for _ in range(_HEADER_SEARCH_ROWS):
        try:
            number, row = next(rows)
        except StopIteration:
            break
        found = columns.match_headers(row, merged)
        # a row naming a field twice is still the header row: refused, not skipped
        if columns.missing([*found.columns, *found.conflicts], form):
            if len(found.columns) > len(best.columns):
                best = found
            continue
        if found.conflicts:
            raise ImportFileError(f"{path}: row {number}: " + "; ".join(found.conflicts.values()))
        unknown = [h for h in mapping if h not in found.mapped]
        if unknown:
            raise ImportFileError(
                f"{path}: row {number}: --map names {', '.join(map(repr, unknown))}, "
                "not a header of this row"
            )
        return found
    seen = ", ".join(columns.LABELS[f] for f in best.columns) or "none"
    raise ImportFileError(
        f"{path}: no header row names the required columns; missing "
        f"{', '.join(columns.missing(best.columns, form))} (recognised: {seen})"
    )


def _check_rows(
    path: Path,
    encoding: str,
    rows: Iterator[tuple[int, Sequence[object]]],
    default_bureau: str,
    mapping: dict[str, str],
    form: columns.ImportForm | None = None,
) -> ParsedFile:
    found = _find_header(path, rows, mapping, form)
    header = found.columns
    cases: list[CaseRow] = []
    rejected: list[Rejected] = []
    first_row: dict[str, int] = {}
    count = 0
    for number, row in rows:
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        if form is not None and all(_text(row, header, f) == "" for f in header):
            continue  # a form's numbered rows left empty, its 说明 row
        count += 1
        case, problems = _check_row(row, header, default_bureau, form)
        if case is not None and case.case_no in first_row:
            problems.append(f"办件编号 {case.case_no} 与第{first_row[case.case_no]}行重复")
        if problems or case is None:
            rejected.append(Rejected(number, "；".join(problems)))
            continue
        first_row[case.case_no] = number
        cases.append(case)
    return ParsedFile(path, encoding, cases, rejected, count, first_row, found.notes)


def _cell(row: Sequence[object], header: dict[str, int], name: str) -> object:
    i = header.get(name)
    if i is None or i >= len(row):
        return None
    value = row[i]
    return value.strip() if isinstance(value, str) else value


def _text(row: Sequence[object], header: dict[str, int], name: str) -> str:
    value = _cell(row, header, name)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_row(
    row: Sequence[object],
    header: dict[str, int],
    default_bureau: str,
    form: columns.ImportForm | None = None,
) -> tuple[CaseRow | None, list[str]]:
    problems: list[str] = []
    derive = form is not None and form.derives_case_no and "case_no" not in header
    values = {f: _text(row, header, f) for f in ("case_no", "unit", "matter", "applicant_name")}
    for f, value in values.items():
        if not value and not (f == "case_no" and derive):
            problems.append(f"{columns.LABELS[f]}为空")
    phone = ""
    try:
        phone = normalise(_cell(row, header, "phone"))
    except PhoneError as exc:
        problems.append(str(exc))
    completed: date | None = None
    try:
        completed = parse_date(_cell(row, header, "completed_on"))
    except ValueError as exc:
        problems.append(str(exc))
    kind = title = ""
    complaint = False
    try:
        kind = columns.unit_kind(values["unit"], _text(row, header, "unit_kind"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        title = columns.title(_text(row, header, "title"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        # as text: a spreadsheet's 1 comes as the number 1.0
        complaint = columns.complaint(_text(row, header, "is_complaint"))
    except ValueError as exc:
        problems.append(str(exc))
    values["bureau"] = _text(row, header, "bureau") or default_bureau
    values["org"] = _text(row, header, "org")
    values["handler"] = _text(row, header, "handler")
    if derive and form is not None and completed is not None:
        values["case_no"] = columns.derived_case_no(
            form.name, completed, values["unit"], values["org"], values["applicant_name"],
            phone, values["matter"],
        )  # fmt: skip
    for f, value in values.items():
        if _CONTROL.search(value):
            # PostgreSQL refuses NUL in text, and no name or matter holds such characters
            problems.append(f"{columns.LABELS[f]}含有控制字符")
    # the widths of the ledger's columns (cases.tables), checked here so that a long
    # value rejects its row instead of failing the whole import on PostgreSQL
    for f, limit in (
        ("case_no", 64), ("applicant_name", 100), ("unit", 100), ("bureau", 100), ("handler", 100),
    ):  # fmt: skip
        if len(values[f]) > limit:
            problems.append(f"{columns.LABELS[f]}超过{limit}个字")
    if problems or completed is None:
        return None, problems
    return (
        CaseRow(
            case_no=values["case_no"],
            bureau=values["bureau"],
            unit=values["unit"],
            unit_kind=kind,
            matter=values["matter"],
            applicant_name=values["applicant_name"],
            title=title,
            org=values["org"],
            phone=phone,
            completed_on=completed,
            is_complaint=complaint,
            handler=values["handler"],
        ),
        problems,
    )


def parse_date(value: object) -> date:
    """A completion date as exported: a date cell, 2026-10-09, 2026/10/9, 2026年10月9日,
    20261009, with or without a time, or an Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("办结日期为空")
    m = _DATE.match(text) or _COMPACT_DATE.match(text)
    if m is not None:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise ValueError(f"办结日期 {text!r} 不是日期")


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, Sequence[object]]], str]:
    data = path.read_bytes()
    text, encoding = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from None

    return rows(), encoding


def _delimiter(text: str) -> str:
    """The separator used most in the first lines (a title row may have none)."""
    head = "\n".join(text[:65536].splitlines()[:20])
    return max(",\t;|", key=head.count)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{path}: the file is UTF-16; save it as UTF-8 or GBK CSV")
    if data.startswith(b"\xef\xbb\xbf"):
        # the BOM says UTF-8: a byte that is not is an error, not a reason to try GBK
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            what = "are not UTF-8, though the file starts with the UTF-8 BOM"
            raise _undecodable(path, data, exc.start + 3, what) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gbk"
        except UnicodeDecodeError:
            what = "are neither UTF-8 nor GBK"
            raise _undecodable(path, data, utf8_error.start, what) from None


def _undecodable(path: Path, data: bytes, start: int, what: str) -> ImportFileError:
    line = data[:start].count(b"\n") + 1
    bad = data[start : start + 4].hex(" ")
    return ImportFileError(
        f"{path}: line {line}: bytes {bad} {what}; save the export as UTF-8 or GBK CSV"
    )


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    # calamine (Rust) reads a 100,000-row sheet in about a second, openpyxl in ten
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except (CalamineError, OSError, IndexError) as exc:
        raise ImportFileError(f"{path}: not a readable XLSX workbook: {exc}") from None
    # rows from the sheet's first row, so numbers match what the operator sees
    return enumerate(sheet.iter_rows(), 1)
