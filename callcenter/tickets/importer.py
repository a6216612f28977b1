"""差评 received through other channels (评价器, APP, the platform's export): a CSV or XLSX
file of ratings, each 差评 opening a rectification ticket (烟台 三(三)1: 差评 are routed
to the responsible unit, rectified and re-visited).

Files are read as the case import reads them (UTF-8 or GBK CSV, XLSX's first sheet, the
header row among the first ten). Columns, under any of these names (* required):

=========  ==========================================================  ========
field      header names                                                required
=========  ==========================================================  ========
case_no    办件编号 办件号 受理编号 业务编号 案件编号                   yes
channel    评价渠道 渠道 评价方式 评价来源 来源                         no
grade      评价等级 满意度 评价结果 评价 评价级别                       yes
content    评价内容 评价意见 差评内容 意见 不满意原因                   no
rated_at   评价时间 评价日期 时间                                       yes
handler    经办人 办理人 受理人                                         no
=========  ==========================================================  ========

A 差评 is 不满意, 不太满意, 很不满意, 非常不满意 or 差评; other grades (满意, 基本满意,
一般, …) open nothing. Each bad row is reported by its row number with every reason and
left out; the good rows go in. A case has one ticket per month: importing the file
again opens nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from callcenter.cases.importer import Rejected, read_rows
from callcenter.cases.tables import Case
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.errors import ImportFileError
from callcenter.kernel.transaction import transaction
from callcenter.tickets._month import beijing_month
from callcenter.tickets.machine import MAX_TEXT, Kind
from callcenter.tickets.service import TicketService
from callcenter.tickets.store import Opening

FIELDS: dict[str, tuple[str, ...]] = {
    "case_no": ("办件编号", "办件号", "受理编号", "业务编号", "案件编号", "case_no"),
    "channel": ("评价渠道", "渠道", "评价方式", "评价来源", "来源", "channel"),
    "grade": ("评价等级", "满意度", "评价结果", "评价", "评价级别", "grade"),
    "content": ("评价内容", "评价意见", "差评内容", "意见", "不满意原因", "content"),
    "rated_at": ("评价时间", "评价日期", "时间", "rated_at"),
    "handler": ("经办人", "办理人", "受理人", "handler"),
}
REQUIRED = ("case_no", "grade", "rated_at")
LABELS = {f: names[0] for f, names in FIELDS.items()}
BAD_GRADES = frozenset({"不满意", "不太满意", "很不满意", "非常不满意", "差评", "差"})
OTHER_GRADES = frozenset(
    {"非常满意", "满意", "比较满意", "基本满意", "一般", "好评", "好", "中评", "中"}
)
DEFAULT_CHANNEL = "好差评平台"

_HEADER_SEARCH_ROWS = 10
_NOISE = re.compile(r"[\s*＊（）()【】\[\]:：]")
_LOOKUP = {_NOISE.sub("", n).lower(): f for f, names in FIELDS.items() for n in names}
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})?秒?)?)?\s*$"
)
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Rating:
    row: int
    case_no: str
    channel: str
    grade: str
    content: str
    rated_at: datetime
    handler: str

    @property
    def bad(self) -> bool:
        return self.grade in BAD_GRADES

    def complaint(self) -> str:
        said = f"：{self.content}" if self.content else ""
        return f"{self.channel}评价“{self.grade}”{said}"


@dataclass
class RatingReport:
    path: Path
    encoding: str
    rows: int = 0  # data rows read, blank ones not counted
    bad: int = 0  # 差评 among the good rows
    opened: list[str] = field(default_factory=list)  # numbers of the tickets opened
    already: int = 0  # 差评 whose case has its ticket already
    rejected: list[Rejected] = field(default_factory=list)


def import_ratings(
    path: Path, service: TicketService, default_channel: str = DEFAULT_CHANNEL
) -> RatingReport:
    """Check every row of ``path`` and open a ticket for each 差评 of a known case."""
    rows, encoding = read_rows(path)
    header = _header(path, rows)
    report = RatingReport(path, encoding)
    ratings: list[Rating] = []
    for number, row in rows:
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        report.rows += 1
        rating, problems = _check(number, row, header, default_channel)
        if rating is None:
            report.rejected.append(Rejected(number, "；".join(problems)))
        else:
            ratings.append(rating)
    cases = _case_ids(service, {r.case_no for r in ratings if r.bad})
    for rating in ratings:
        if not rating.bad:
            continue
        case_id = cases.get(rating.case_no)
        if case_id is None:
            report.rejected.append(
                Rejected(rating.row, f"办件编号 {rating.case_no} 不在台账中，请先导入该办件")
            )
            continue
        report.bad += 1
        ticket_id, opened = service.open(
            Opening(
                case_id=case_id,
                cycle=beijing_month(rating.rated_at),
                kind=Kind.RECTIFICATION,
                source="rating",
                channel=rating.channel,
                complaint=rating.complaint(),
                handler=rating.handler,
            )
        )
        if opened:
            report.opened.append(service.store.load(ticket_id).number)
        else:
            report.already += 1
    report.rejected.sort(key=lambda r: r.row)
    return report


def _header(path: Path, rows: Iterator[tuple[int, Sequence[object]]]) -> dict[str, int]:
    best: dict[str, int] = {}
    for _ in range(_HEADER_SEARCH_ROWS):
        try:
            _, row = next(rows)
        except StopIteration:
            break
        found: dict[str, int] = {}
        for i, cell in enumerate(row):
            name = _LOOKUP.get(_NOISE.sub("", str(cell or "")).lower())
            if name is not None and name not in found:
                found[name] = i
        if all(f in found for f in REQUIRED):
            return found
        best = found if len(found) > len(best) else best
    missing = ", ".join(LABELS[f] for f in REQUIRED if f not in best)
    seen = ", ".join(LABELS[f] for f in best) or "none"
    raise ImportFileError(
        f"{path}: no header row names the required columns; missing {missing} (recognised: {seen})"
    )


def _check(
    number: int, row: Sequence[object], header: dict[str, int], default_channel: str
) -> tuple[Rating | None, list[str]]:
    def text(name: str) -> str:
        i = header.get(name)
        value = row[i] if i is not None and i < len(row) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    problems: list[str] = []
    case_no, grade, content = text("case_no"), text("grade"), text("content")
    if not case_no:
        problems.append("办件编号为空")
    elif len(case_no) > 64:
        problems.append("办件编号超过64个字")
    if not grade:
        problems.append("评价等级为空")
    elif grade not in BAD_GRADES | OTHER_GRADES:
        problems.append(f"评价等级 {grade!r} 不是 满意 / 基本满意 / 不满意 等评价")
    if len(content) > MAX_TEXT:
        problems.append(f"评价内容超过{MAX_TEXT}字")
    channel = text("channel") or default_channel
    if len(channel) > 32:
        problems.append("评价渠道超过32个字")
    handler = text("handler")
    if len(handler) > 64:
        problems.append("经办人超过64个字")
    rated_at = None
    i = header["rated_at"]
    try:
        rated_at = parse_time(row[i] if i < len(row) else None)
    except ValueError as exc:
        problems.append(str(exc))
    if problems or rated_at is None:
        return None, problems
    return Rating(number, case_no, channel, grade, content, rated_at, handler), problems


def parse_time(value: object) -> datetime:
    """评价时间 as exported: a date or datetime cell, 2026-02-13 10:20, 2026/2/13,
    2026年2月13日 10时20分, or an Excel day number; Beijing time unless it says otherwise."""
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, date):
        at = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        at = _EXCEL_EPOCH + timedelta(days=float(value))
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError("评价时间为空")
        m = _DATETIME.match(text)
        try:
            if m is None:
                raise ValueError
            year, month, day, hour, minute, second = (int(g) for g in m.groups(default="0"))
            at = datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise ValueError(f"评价时间 {text!r} 不是日期时间") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=BEIJING)


def _case_ids(service: TicketService, case_nos: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    numbers = sorted(case_nos)
    with transaction(service.store.sessions, "tickets.rating_cases") as s:
        for start in range(0, len(numbers), 1000):
            chunk = numbers[start : start + 1000]
            found.update(
                s.execute(select(Case.case_no, Case.id).where(Case.case_no.in_(chunk))).all()
            )
    return found
