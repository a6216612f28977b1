"""How many inputs each fuzz target ran, how many were refused with the project's typed
error, how many crashed, and how long it took; printed at the end of the run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

TALLIES: dict[str, Tally] = {}


@dataclass
class Tally:
    target: str
    inputs: int = 0
    refused: int = 0  # ended in an expected, typed error
    crashes: int = 0
    seconds: float = 0.0  # in the code under test
    first: float | None = None  # when the first input started
    last: float = 0.0  # when the last one ended

    @contextmanager
    def one(
        self, expected: type[BaseException] | tuple[type[BaseException], ...]
    ) -> Iterator[None]:
        """Runs one input: an ``expected`` error is counted and swallowed, anything else
        is counted as a crash and raised."""
        self.inputs += 1
        start = time.perf_counter()
        if self.first is None:
            self.first = start
        try:
            yield
        except expected:
            self.refused += 1
        except BaseException:
            self.crashes += 1
            raise
        finally:
            self.last = time.perf_counter()
            self.seconds += self.last - start

    def line(self) -> str:
        return (
            f"fuzz {self.target}: {self.inputs} inputs, {self.refused} refused with a typed "
            f"error, {self.crashes} crashes; {self.wall:.1f} s in all, {self.seconds:.1f} s "
            "of it in the code under test"
        )

    @property
    def wall(self) -> float:
        """From the first input to the last, generating them included."""
        return 0.0 if self.first is None else self.last - self.first


def tally(target: str) -> Tally:
    """The tally of ``target`` (one per test and database), created on first use."""
    return TALLIES.setdefault(target, Tally(target))
