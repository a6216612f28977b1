"""The event loop the calls run on: uvloop where it is installed, else asyncio's own.

A controller under a few hundred calls spends a good part of its time in the loop
itself (waking tasks, reading sockets, timers); uvloop does that work in C.

The loop shares the interpreter with the ledger's writer threads. A thread that wants
the interpreter waits for the holder's switch interval (5 ms by default) to run out,
so each key a caller presses while a batch is being written waits that long, once or
more. At 300 calls (benchmarks/concurrency.py, two runs each on a shared machine) the
key-to-prompt median was 117 and 141 ms at 5 ms, 62 and 84 ms at 0.5 ms, for about a
tenth more CPU in the switches.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


SWITCH_INTERVAL_S = 0.0005


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop for calls, and the process's switch interval set for it (above)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        import uvloop
    except ImportError:  # a platform without its wheel: the standard loop does the same work
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the loop above."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
