"""The columns of a business-system export of completed cases (办结事项), and their names.

A header matches a field when it equals one of the field's names after spaces, ``*``
(marks of required columns) and brackets are removed; English names match in any case.
The header row may sit below a title row: the first of the first ten rows that names
every required field is taken.

======================  =====================================================  ========
field                   header names                                           required
======================  =====================================================  ========
case_no                 办件编号 办件号 受理编号 业务编号 案件编号 流水号          yes
unit (window / station) 办理窗口 窗口/所 窗口或所 承办单位 受理单位 办理单位 窗口 所  yes
unit_kind               单位类型 类型 (窗口 / 所 / 局)                           no
bureau                  所属单位 主管单位 回访单位                               no
matter                  办理事项 事项名称 事项 回访事项 业务名称                  yes
applicant_name          申请人 申请人姓名 联系人 姓名                            yes
title                   称谓 性别 (先生 / 女士, 男 / 女)                         no
org                     企业名称 申请单位 单位名称 市场主体名称                   no
phone                   联系电话 电话 手机 手机号码 联系方式 申请人电话            yes
completed_on            办结日期 办结时间 完成日期 办结时限                       yes
is_complaint            是否投诉 投诉件 投诉 (是 / 否, 1 / 0, Y / N)             no
======================  =====================================================  ========

Without a unit_kind column, a unit whose name has 窗口 or 大厅 is a window, one whose
name has 所 is a station (所), anything else belongs to the bureau itself. Without a
bureau column, cases belong to the configured ``calling_unit``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FIELDS: dict[str, tuple[str, ...]] = {
    "case_no": ("办件编号", "办件号", "受理编号", "业务编号", "案件编号", "流水号", "case_no"),
    "unit": (
        "办理窗口",
        "窗口/所",
        "窗口或所",
        "承办单位",
        "受理单位",
        "办理单位",
        "窗口",
        "所",
        "unit",
    ),
    "unit_kind": ("单位类型", "类型", "unit_kind"),
    "bureau": ("所属单位", "主管单位", "回访单位", "bureau"),
    "matter": ("办理事项", "事项名称", "事项", "回访事项", "业务名称", "matter"),
    "applicant_name": ("申请人", "申请人姓名", "联系人", "姓名", "applicant_name", "name"),
    "title": ("称谓", "性别", "title"),
    "org": ("企业名称", "申请单位", "单位名称", "市场主体名称", "org"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "申请人电话", "phone"),
    "completed_on": ("办结日期", "办结时间", "完成日期", "办结时限", "completed_on"),
    "is_complaint": ("是否投诉", "投诉件", "投诉", "is_complaint", "complaint"),
}
REQUIRED = ("case_no", "unit", "matter", "applicant_name", "phone", "completed_on")
LABELS = {field: names[0] for field, names in FIELDS.items()}

_NOISE = re.compile(r"[\s*＊（）()【】\[\]:：]")
_LOOKUP = {_NOISE.sub("", n).lower(): f for f, names in FIELDS.items() for n in names}

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


def match_headers(row: Sequence[object]) -> dict[str, int]:
    """Field → column index for the fields this row names (first column wins)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        if cell is None:
            continue
        field = _LOOKUP.get(_NOISE.sub("", str(cell)).lower())
        if field is not None and field not in found:
            found[field] = i
    return found


def missing(found: dict[str, int]) -> list[str]:
    return [LABELS[f] for f in REQUIRED if f not in found]


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
