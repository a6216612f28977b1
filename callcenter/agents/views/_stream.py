"""Waiting for the next screen update in a server-sent events stream, in a way that lets
the application shut down at once instead of after its shutdown timeout."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from callcenter.agents.notifier import Change
from callcenter.agents.views import keys as agent_keys


async def stop_streams(app: web.Application) -> None:
    """``on_shutdown``: every open stream ends now."""
    app[agent_keys.STOPPING].set()


def stopping(app: web.Application) -> bool:
    return app[agent_keys.STOPPING].is_set()


async def next_change(
    app: web.Application, changes: asyncio.Queue[Change], timeout: float
) -> Change | None:
    """The next change; None after ``timeout`` or when the application shuts down."""
    stop = app[agent_keys.STOPPING]
    if stop.is_set():
        return None
    getter = asyncio.ensure_future(changes.get())
    halt = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait(
            {getter, halt}, timeout=max(0.0, timeout), return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        halt.cancel()
        if not getter.done():
            getter.cancel()
    if getter in done:
        return getter.result()
    with contextlib.suppress(asyncio.CancelledError, asyncio.InvalidStateError):
        if getter.done() and not getter.cancelled():
            changes.put_nowait(getter.result())
    return None
