"""Phone numbers as shown to everyone who has not asked, on the record, to see them."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; shorter numbers keep less.

    Mobile and long-distance numbers (11+ digits) keep the first three and last four
    digits, the usual Chinese form; local numbers keep the last four, extensions two.
    A ``+86`` prefix is kept as it is.
    """
    prefix = ""
    text = phone.strip()
    if text.startswith("+86"):
        prefix, text = "+86", text[3:]
    digits = _NON_DIGITS.sub("", text)
    n = len(digits)
    if n == 0:
        return prefix
    tail = 4 if n >= 8 else 2 if n >= 4 else 0
    head = 3 if n >= 11 else 0
    return prefix + digits[:head] + "*" * (n - head - tail) + digits[n - tail :]
