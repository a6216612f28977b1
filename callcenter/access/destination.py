"""Where to send the browser after login: a page of this site, never another host.

The check reads ``next`` the way the browser will read the ``Location`` it ends up in
(WHATWG URL parsing of a relative address against this site): leading and trailing C0
controls and spaces are dropped, tabs and newlines anywhere are removed, and a backslash
is a slash. Only what is left after that is judged, and only that is sent on, encoded, so
the address checked is the address followed. A path on this site starts with exactly one
slash: "//host" and "/\\host" name another host.
"""

from __future__ import annotations

from urllib.parse import quote

HOME = "/"
MAX_LENGTH = 2000

_TRIMMED = "".join(chr(c) for c in range(0x21))  # C0 controls and space
_REMOVED = str.maketrans("", "", "\t\n\r")
# Printable ASCII is sent as it is (a % already escaping something stays); anything
# else (controls, space, DEL, non-ASCII) is percent-encoded as UTF-8, as browsers do.
_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


def safe_next(value: str | None) -> str:
    """The page of this site ``value`` leads to, as an ASCII ``Location``; ``HOME`` when
    it leads anywhere else, or nowhere."""
    if not value:
        return HOME
    path = value.strip(_TRIMMED).translate(_REMOVED).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//") or len(path) > MAX_LENGTH:
        return HOME
    return quote(path, safe=_SAFE)
