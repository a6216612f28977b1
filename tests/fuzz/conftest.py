"""Prints what every fuzz target ran (tests.fuzz.tally) after the test summary."""

from __future__ import annotations

import pytest

from tests.fuzz.tally import TALLIES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLIES:
        terminalreporter.section("fuzz inputs")
        for t in TALLIES.values():
            terminalreporter.write_line(t.line())
