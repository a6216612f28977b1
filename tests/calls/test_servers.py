"""A server whose ARI stays unreachable: out of routing, its calls closed as interrupted
once (ringing ones unreached, answered ones cut short), back when ARI answers again."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from callcenter.calls.controller import Controller
from callcenter.calls.servers import INTERRUPTED_NOTE, ServerBeacons, ServerWatch
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import AriError, AriNotFound, AriUnreachable, LedgerError
from callcenter.telephony.ari.router import EventRouter
from tests.calls.test_call import deps


class SilentAri:
    """Answers the numbers in ``answering``, lets the others ring; once ``connected`` is
    False (Asterisk killed) no event comes and every request fails."""

    app = "callcenter-test"

    def __init__(self, router: EventRouter, answering: set[str]) -> None:
        self.router = router
        self.answering = answering
        self.connected = True

    async def originate(self, endpoint: str, *, channel_id: str, **_: Any) -> dict[str, Any]:
        if any(n in endpoint for n in self.answering):
            event = {"type": "StasisStart", "channel": {"id": channel_id}}
            asyncio.get_running_loop().call_soon(
                lambda: asyncio.ensure_future(self.router.dispatch(event))
            )
        return {"id": channel_id}

    async def snoop(self, *a: Any, **k: Any) -> dict[str, Any]:
        raise AriError("no snoop in this test", 501)

    async def play(self, channel_id: str, media: list[str], playback_id: str) -> dict[str, Any]:
        self._fail_if_gone()
        return {"id": playback_id}  # the prompt plays on; its end never arrives

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        self._fail_if_gone()

    async def stop_playback(self, playback_id: str) -> None:
        self._fail_if_gone()

    async def request(self, method: str, path: str, *a: Any, **k: Any) -> Any:
        self._fail_if_gone()
        raise AriNotFound(f"{path} not found", 404)

    async def get_channel(self, channel_id: str) -> dict[str, Any]:
        return await self.request("GET", f"/channels/{channel_id}")

    def _fail_if_gone(self) -> None:
        if not self.connected:
            raise AriUnreachable("connection refused")


async def until(check: Any, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def test_a_lost_server_interrupts_its_calls_once_and_leaves_routing_until_back(
    ledger: Ledger, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    ledger.upsert_unit("城区市场监管所", "station")
    talking = ledger.case_info(
        ledger.add_case("S-1", "城区市场监管所", "王伟", "13900000001", "企业变更登记", date(2026, 10, 9))
    )  # fmt: skip
    ringing = ledger.case_info(
        ledger.add_case("S-2", "城区市场监管所", "李娜", "13900000002", "企业变更登记", date(2026, 10, 9))
    )  # fmt: skip
    router = EventRouter()
    ari = SilentAri(router, {talking.phone})
    controller = Controller(deps(ledger, ari, router, tmp_path))  # type: ignore[arg-type]
    redis = Redis.from_url(redis_url)
    beacons = ServerBeacons(redis, redis_prefix, down_after=0.5)
    watch = ServerWatch(controller, "b", beacons, down_after=0.5, poll=0.05)
    watching = asyncio.create_task(watch.run())
    try:

        async def up() -> bool:
            return (await beacons.up(["b"]))["b"]

        async def down() -> bool:
            return not await up()

        await until(up)
        calls = [
            asyncio.create_task(controller.place(talking, "att-talking")),
            asyncio.create_task(controller.place(ringing, "att-ringing")),
        ]

        async def one_answered() -> bool:
            try:
                views = [ledger.attempt(a) for a in ("att-talking", "att-ringing")]
            except LedgerError:
                return False  # not written yet
            return views[0].answered_at is not None

        await until(one_answered)
        ari.connected = False  # Asterisk killed mid-call
        async with asyncio.timeout(10):
            results = await asyncio.gather(*calls)
        await until(down)

        by_id = {r.attempt_id: r for r in results}
        stored = {a: ledger.attempt(a) for a in by_id}
        # cut short when answered, unreached when still ringing: the retry policy's inputs
        assert stored["att-talking"].outcome is Outcome.PARTIAL
        assert stored["att-ringing"].outcome is Outcome.FAILED
        for attempt_id, view in stored.items():
            assert view.note == INTERRUPTED_NOTE and view.ended_at is not None
            # the dialler is told what the ledger says, not the call's own ending
            assert (by_id[attempt_id].outcome, by_id[attempt_id].note) == (view.outcome, view.note)
        assert watch.losses == 1 and controller.active == set()
        assert ledger.unfinished_attempts() == []

        ari.connected = True  # it answers again: back in routing
        await until(up)
        assert watch.losses == 1
    finally:
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
        await redis.aclose()
