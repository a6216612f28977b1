"""Cutting a transcript down to the words around a search keyword, marked for display.

Returns plain text pieces with a flag, never HTML, so the template escapes everything
and wraps only the flagged pieces in ``<mark>``.
"""

from __future__ import annotations

import re

Piece = tuple[str, bool]  # (text, is the keyword)


def snippet(text: str, keyword: str, *, context: int = 24) -> list[Piece] | None:
    """The first match of ``keyword`` in ``text`` with ``context`` characters around
    it, or None when it does not occur; further matches in that window are marked too."""
    keyword = keyword.strip()
    if not keyword:
        return None
    pattern = re.compile(re.escape(keyword), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return None
    start = max(0, first.start() - context)
    end = min(len(text), first.end() + context)
    window = text[start:end]
    pieces: list[Piece] = [("…", False)] if start > 0 else []
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            pieces.append((window[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(window):
        pieces.append((window[position:], False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces
