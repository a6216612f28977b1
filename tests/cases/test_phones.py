"""Phone numbers: mobiles and landlines with area code, normalised for the trunk."""

from __future__ import annotations

import pytest

from callcenter.cases.phones import PhoneError, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0398-5831315", "03985831315"),
        ("(0398)5831315", "03985831315"),
        ("010-12345678", "01012345678"),
        (13900000101, "13900000101"),
        (13900000101.0, "13900000101"),  # a number cell in a spreadsheet
    ],
)
def test_valid_numbers(raw: object, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "电话为空"),
        (None, "电话为空"),
        ("5831315", "缺少区号"),
        ("12345", "不是有效的手机或固定电话号码"),
        ("12000000000", "不是有效的手机或固定电话号码"),
        ("abc", "不是电话号码"),
        ("+1 650 253 0000", "不是中国大陆号码"),
        ("400-810-8888", "不是手机或固定电话"),
    ],
)
def test_bad_numbers_say_why(raw: object, reason: str) -> None:
    with pytest.raises(PhoneError, match=reason):
        normalise(raw)
