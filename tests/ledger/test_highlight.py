from __future__ import annotations

from callcenter.ledger.views._highlight import snippet


def test_marks_every_match_in_the_window() -> None:
    assert snippet("排队太久，排队的人多", "排队") == [
        ("排队", True),
        ("太久，", False),
        ("排队", True),
        ("的人多", False),
    ]


def test_long_text_is_cut_around_the_first_match() -> None:
    text = "甲" * 50 + "排队" + "乙" * 50
    pieces = snippet(text, "排队", context=5)
    assert pieces == [
        ("…", False),
        ("甲" * 5, False),
        ("排队", True),
        ("乙" * 5, False),
        ("…", False),
    ]


def test_no_match_or_no_keyword() -> None:
    assert snippet("服务很好", "排队") is None
    assert snippet("服务很好", "  ") is None


def test_case_insensitive_and_literal() -> None:
    assert snippet("ABC a.c", "a.c") == [("ABC ", False), ("a.c", True)]
