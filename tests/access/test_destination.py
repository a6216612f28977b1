"""``safe_next`` judges the address the browser will follow, and sends only that."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.access.destination import HOME, safe_next

_TRIMMED = "".join(chr(c) for c in range(0x21))


def browser_reads(location: str) -> str:
    """What a browser makes of a relative address before resolving it (WHATWG URL)."""
    return (
        location.strip(_TRIMMED)
        .replace("\t", "")
        .replace("\n", "")
        .replace("\r", "")
        .replace("\\", "/")
    )


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from("/\\ \t\n\r\x00\x0b\x1f.:?#@%aé排")), st.text(max_size=20))
def test_the_result_is_always_a_path_of_this_site(prefix: str, rest: str) -> None:
    location = safe_next(prefix + rest)
    assert location.isascii() and location.isprintable() and " " not in location
    assert browser_reads(location) == location
    assert location.startswith("/") and not location.startswith("//")
    assert safe_next(location) == location


def test_nothing_or_too_long_is_home() -> None:
    assert safe_next(None) == safe_next("") == safe_next("\t \n") == HOME
    assert safe_next("/" + "a" * 5000) == HOME
