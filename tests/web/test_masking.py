from __future__ import annotations

import pytest

from callcenter.web.masking import mask_phone


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("03985831315", "039****1315"),
        ("0398-5831315", "039****1315"),
        ("58313150", "****3150"),
        ("6001", "**01"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown
