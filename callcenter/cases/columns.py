"""The columns of a business-system export of completed cases (办结事项), and their names.

A header matches a field when it equals one of the field's names after spaces, ``*``
(marks of required columns) and brackets are removed; English names match in any case.
The header row may sit below a title row: the first of the first ten rows that names
every required field is taken.

======================  =====================================================  ========
field                   header names, most specific first (``|`` between tiers)  required
======================  =====================================================  ========
case_no                 办件编号 办件号 | 受理编号 业务编号 案件编号 | 流水号     yes
unit (window / station) 办理窗口 窗口/所 窗口或所 窗口 所 | 承办单位 受理单位 办理单位  yes
unit_kind               单位类型 | 类型 (窗口 / 所 / 局)                         no
bureau                  所属单位 主管单位 回访单位                               no
matter                  办理事项 事项名称 事项 回访事项 | 业务名称              yes
applicant_name          申请人 申请人姓名 | 姓名 | 联系人                       yes
title                   称谓 | 性别 (先生 / 女士, 男 / 女)                      no
org                     企业名称 市场主体名称 申请单位 | 单位名称                no
phone                   申请人电话 | 联系电话 手机号码 手机 | 电话 联系方式     yes
completed_on            办结日期 办结时间 | 完成日期 | 办结时限                 yes
is_complaint            是否投诉 | 投诉件 投诉 (是 / 否, 1 / 0, Y / N)          no
======================  =====================================================  ========

When two columns of one export name the same field, the one of the more specific tier
is taken and the choice is reported: an export with both 办理单位 (the bureau) and
窗口/所 files each case under its 窗口 or 所, not under the bureau. Two columns of the
same tier are refused with both headers named, since taking either would be a guess;
``--map 表头=字段`` (:func:`parse_mapping`) settles it, or any other header.

Without a unit_kind column, a unit whose name has 窗口 or 大厅 is a window, one whose
name has 所 is a station (所), anything else belongs to the bureau itself. Without a
bureau column, cases belong to the configured ``calling_unit``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

# Each field's header names in tiers, the most specific first.
FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "case_no": (
        ("办件编号", "办件号", "case_no"),
        ("受理编号", "业务编号", "案件编号"),
        ("流水号",),
    ),
    "unit": (
        ("办理窗口", "窗口/所", "窗口或所", "窗口", "所", "unit"),
        ("承办单位", "受理单位", "办理单位"),
    ),
    "unit_kind": (("单位类型", "unit_kind"), ("类型",)),
    "bureau": (("所属单位", "主管单位", "回访单位", "bureau"),),
    "matter": (("办理事项", "事项名称", "事项", "回访事项", "matter"), ("业务名称",)),
    "applicant_name": (
        ("申请人", "申请人姓名", "applicant_name", "name"),
        ("姓名",),
        ("联系人",),
    ),
    "title": (("称谓", "title"), ("性别",)),
    "org": (("企业名称", "市场主体名称", "申请单位", "org"), ("单位名称",)),
    "phone": (
        ("申请人电话", "phone"),
        ("联系电话", "手机号码", "手机"),
        ("电话", "联系方式"),
    ),
    "completed_on": (("办结日期", "办结时间", "completed_on"), ("完成日期",), ("办结时限",)),
    "is_complaint": (("是否投诉", "is_complaint", "complaint"), ("投诉件", "投诉")),
    "handler": (("办案人", "经办人", "承办人", "handler"),),
}
REQUIRED = ("case_no", "unit", "matter", "applicant_name", "phone", "completed_on")
# how reports and messages name each field
LABELS = {
    "case_no": "办件编号",
    "unit": "办理窗口",
    "unit_kind": "单位类型",
    "bureau": "所属单位",
    "matter": "办理事项",
    "applicant_name": "申请人",
    "title": "称谓",
    "org": "企业名称",
    "phone": "联系电话",
    "completed_on": "办结日期",
    "is_complaint": "是否投诉",
    "handler": "办案人",
}
IGNORE = "-"  # ``--map 表头=-``: the column is read as no field

_NOISE = re.compile(r"[\s*＊（）()【】\[\]:：]")
# normalised name -> (field, tier)
_LOOKUP = {
    _NOISE.sub("", n).lower(): (f, tier)
    for f, tiers in FIELDS.items()
    for tier, names in enumerate(tiers)
    for n in names
}


def _key(header: object) -> str:
    return _NOISE.sub("", str(header)).lower()


def parse_mapping(specs: Iterable[str]) -> dict[str, str]:
    """``["办理单位=所属单位", "窗口=-"]`` → normalised header → field (or ``IGNORE``).

    The field may be given by its key (``unit``), its label (办理窗口) or any of its
    header names. ValueError names a spec that is not ``表头=字段``.
    """
    out: dict[str, str] = {}
    for spec in specs:
        header, sep, target = spec.partition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header or not target:
            raise ValueError(f"--map {spec!r} is not 表头=字段")
        if target == IGNORE:
            field_name = IGNORE
        elif target in FIELDS:
            field_name = target
        elif _key(target) in _LOOKUP:
            field_name = _LOOKUP[_key(target)][0]
        else:
            known = ", ".join(f"{f} ({LABELS[f]})" for f in FIELDS)
            raise ValueError(f"--map {spec!r}: {target!r} is not a field; fields: {known}, or -")
        if _key(header) in out and out[_key(header)] != field_name:
            raise ValueError(f"--map gives header {header!r} twice, as different fields")
        out[_key(header)] = field_name
    return out


@dataclass
class HeaderMatch:
    """Which column holds each field, and what was decided to get there."""

    columns: dict[str, int] = field(default_factory=dict)
    # a column taken over another for the same field (reported, never silent)
    notes: list[str] = field(default_factory=list)
    # two columns of one tier for one field (by field): the row cannot be used as it is
    conflicts: dict[str, str] = field(default_factory=dict)
    # --map headers found in the row
    mapped: set[str] = field(default_factory=set)


def column_name(i: int) -> str:
    """0 → ``column 1 (A)``: how the operator finds it in Excel."""
    letters, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"column {i + 1} ({letters})"


def match_headers(row: Sequence[object], mapping: dict[str, str] | None = None) -> HeaderMatch:
    """Field → column index for the fields this row names; ``mapping`` (from
    :func:`parse_mapping`) comes before the names."""
    mapping = mapping or {}
    match = HeaderMatch()
    # field -> candidates (rank, column, header); rank -1 for a --map header
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for i, cell in enumerate(row):
        if cell is None:
            continue
        key = _key(cell)
        if key in mapping:
            match.mapped.add(key)
            if mapping[key] != IGNORE:
                candidates.setdefault(mapping[key], []).append((-1, i, str(cell).strip()))
        elif key in _LOOKUP:
            f, tier = _LOOKUP[key]
            candidates.setdefault(f, []).append((tier, i, str(cell).strip()))
    for f, found in candidates.items():
        found.sort()
        best = found[0]
        tied = [c for c in found[1:] if c[0] == best[0]]
        if tied:
            named = " and ".join(f"{column_name(i)} {h!r}" for _, i, h in [best, *tied])
            match.conflicts[f] = (
                f"{LABELS[f]} ({f}) is named by {named}; say which one with "
                f"--map 表头={f} (and --map 表头=- for the other)"
            )
            continue
        match.columns[f] = best[1]
        for _, i, h in found[1:]:
            why = "given by --map" if best[0] < 0 else "more specific"
            match.notes.append(
                f"{LABELS[f]} ({f}): {column_name(best[1])} {best[2]!r} taken over "
                f"{column_name(i)} {h!r} ({why}); --map 表头=字段 chooses otherwise"
            )
    return match


def missing(found: Iterable[str], form: ImportForm | None = None) -> list[str]:
    """Labels of the required fields not among ``found`` (a form may derive some)."""
    have = set(found) | ({"case_no"} if form is not None and form.derives_case_no else set())
    return [LABELS[f] for f in REQUIRED if f not in have]


@dataclass(frozen=True)
class ImportForm:
    """A form a bureau reports its cases in, other than the business system's export:
    which of its headers is which field (as ``--map`` gives them), and whether its
    rows carry no case number, so one is derived from the row."""

    name: str
    mapping: dict[str, str]
    derives_case_no: bool = False

    def header_map(self) -> dict[str, str]:
        return {_key(h): f for h, f in self.mapping.items()}


# 001 附表3 市住建局涉企服务主体统计表: 姓名 is the member of staff who served the
# enterprise (its handler), 企业联系人 the person called; rows have no case number.
FORMS = {
    "附表3": ImportForm(
        "附表3",
        {
            "序号": IGNORE,
            "单位": "unit",
            "姓名": "handler",
            "时间": "completed_on",
            "地点": IGNORE,
            "涉企事宜": "matter",
            "工作完成情况": IGNORE,
            "服务对象（企业）": "org",
            "企业联系人": "applicant_name",
            "企业联系人电话号码": "phone",
            "备注": IGNORE,
        },
        derives_case_no=True,
    ),
}


def derived_case_no(form: str, completed_on: date, *parts: str) -> str:
    """A case number for a row of a form that has none: the same row gives the same
    number, so importing the form again adds nothing twice."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{form}-{completed_on:%Y%m%d}-{digest}"


_KINDS = {
    "窗口": "window",
    "大厅窗口": "window",
    "window": "window",
    "所": "station",
    "市场监管所": "station",
    "station": "station",
    "局": "bureau",
    "科室": "bureau",
    "bureau": "bureau",
}
_TITLES = {"先生": "先生", "女士": "女士", "男": "先生", "女": "女士", "": ""}
_YES = {"是", "y", "yes", "true", "1", "投诉", "投诉件", "√"}
_NO = {"否", "n", "no", "false", "0", "", "-", "无"}


def unit_kind(name: str, given: str = "") -> str:
    """The kind of a unit: from the kind column if given, else from its name."""
    given = given.strip()
    if given:
        try:
            return _KINDS[given.lower()]
        except KeyError:
            raise ValueError(f"单位类型 {given!r} 不是 窗口 / 所 / 局") from None
    if "窗口" in name or "大厅" in name:
        return "window"
    if "所" in name:
        return "station"
    return "bureau"


def title(value: str) -> str:
    try:
        return _TITLES[value.strip()]
    except KeyError:
        raise ValueError(f"称谓 {value!r} 不是 先生 / 女士") from None


def complaint(value: object) -> bool:
    text = ("" if value is None else str(value)).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"是否投诉 {value!r} 不是 是 / 否")
