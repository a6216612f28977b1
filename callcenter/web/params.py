"""Reading a request's query and form values, refusing what no page of the site sends.

Control characters never come from a form field a person filled in; passed on, a NUL
would end the pattern of an SQLite LIKE early (so a search for it matched everything)
and PostgreSQL refuses it outright. Numbers are bounded before they reach an OFFSET or
an INTEGER column.
"""

from __future__ import annotations

import unicodedata

from callcenter.kernel.errors import CallcenterError

# The largest id an INTEGER column holds on every supported database.
MAX_ID = 2**31 - 1
# Far beyond any real list, small enough that page × page size is a sane OFFSET.
MAX_PAGE = 100_000

_REPLACEMENT = "\ufffd"  # what a query's bytes that are not UTF-8 are decoded as


class BadParameter(CallcenterError):
    """A query or form value no page of the site sends; the message is for the user."""

    error_id = "bad-parameter"


def shown(value: str, limit: int = 20) -> str:
    """``value`` as an error message may quote it: printable and short."""
    printable = "".join("�" if _is_control(ch) else ch for ch in value)
    return printable if len(printable) <= limit else printable[:limit] + "…"


def text(value: str, label: str, *, limit: int = 100) -> str:
    """A text field, stripped and cut to ``limit`` characters.

    Raises ``BadParameter`` naming ``label`` when it holds control characters or bytes
    that were not UTF-8.
    """
    value = value.strip()
    if any(_is_control(ch) for ch in value):
        raise BadParameter(f"{label}含有控制字符，请重新填写。")
    if _REPLACEMENT in value:
        raise BadParameter(f"{label}含有无法识别的字符，请重新填写。")
    return value[:limit]


def page(value: str | None) -> int:
    """A page number, 1 when not given."""
    if value is None or value == "":
        return 1
    number = whole_number(value)
    if number is None or not 1 <= number <= MAX_PAGE:
        raise BadParameter(f"页码“{shown(value)}”无效，应为 1 到 {MAX_PAGE} 之间的整数。")
    return number


def record_id(value: str) -> int | None:
    """A stored row's id from the address, or None when no row can have it."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None


def plain(value: str, *, limit: int = 64) -> bool:
    """Whether ``value`` can be a stored key (a call's id): short, no control characters."""
    return 0 < len(value) <= limit and not any(_is_control(ch) for ch in value)


def whole_number(value: str) -> int | None:
    """ASCII digits only (``int`` would also take "٣", "1_000" and " 7"), at most 12."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _is_control(ch: str) -> bool:
    # Cc: C0 and C1 controls (NUL, tab, newline, DEL...); Cs: halves of a surrogate pair,
    # which no encoder will write.
    return unicodedata.category(ch) in ("Cc", "Cs")
