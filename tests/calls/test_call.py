"""OutboundCall without Asterisk: what the 台账 says when the telephone system fails."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from callcenter.calls.call import CallDeps, OutboundCall
from callcenter.calls.config import CallConfig, ControllerSettings, DialSettings, IvrSettings
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import load_script
from callcenter.kernel.clock import SystemClock
from callcenter.kernel.errors import AriError, AriNotFound, AriUnreachable
from callcenter.ledger.store import LedgerReader
from callcenter.settings import PROJECT_ROOT
from callcenter.telephony.ari.router import EventRouter

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
DEAD = (
    "ARI GET http://127.0.0.1:8088/ari/playbacks/p4 failed: Cannot connect to host 127.0.0.1:8088"
)


class Prompts:
    """Every prompt rendered already."""

    def find(self, text: str, prompt_id: str | None = None) -> Path:
        return Path(f"/prompts/{abs(hash(text))}.wav")


class DyingAri:
    """Answers, plays the first prompts (the applicant presses ``keys`` in turn), then
    stops answering at all, like an Asterisk that was killed."""

    app = "callcenter-test"
    connected = True

    def __init__(self, router: EventRouter, keys: list[str | None], dial_error: bool = False):
        self.router = router
        self.keys = list(keys)
        self.dial_error = dial_error
        self.channel = ""

    def _event(self, kind: str, **fields: Any) -> None:
        event = {"type": kind, "channel": {"id": self.channel}, **fields}
        asyncio.get_running_loop().call_soon(
            lambda: asyncio.ensure_future(self.router.dispatch(event))
        )

    async def originate(self, endpoint: str, *, channel_id: str, **_: Any) -> dict[str, Any]:
        if self.dial_error:
            raise AriError("ARI POST /channels returned HTTP 500: Allocation failed", 500)
        self.channel = channel_id
        self._event("StasisStart")
        return {"id": channel_id}

    async def snoop(self, *a: Any, **k: Any) -> dict[str, Any]:
        raise AriError("no snoop in this test", 501)

    async def play(self, channel_id: str, media: list[str], playback_id: str) -> dict[str, Any]:
        if not self.keys:
            raise AriUnreachable(DEAD)
        key = self.keys.pop(0)
        if key is None:
            self._event("PlaybackFinished", playback={"id": playback_id})
        else:
            self._event("ChannelDtmfReceived", digit=key)
        return {"id": playback_id}

    async def stop_playback(self, playback_id: str) -> None:
        pass

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        self._event("ChannelDestroyed", cause=16)

    async def request(self, method: str, path: str, *a: Any, **k: Any) -> Any:
        if not self.keys:
            raise AriUnreachable(DEAD)
        raise AriNotFound(f"{path} not found", 404)


def deps(ledger: Ledger, ari: DyingAri, router: EventRouter, tmp_path: Path) -> CallDeps:
    config = CallConfig(
        dial=DialSettings(),
        ivr=IvrSettings(),
        controller=ControllerSettings(),
        storage_root=tmp_path,
        recordings_dir=tmp_path / "recordings",
        spool_dir=tmp_path / "spool",
    )
    return CallDeps(
        ari=ari,  # type: ignore[arg-type]
        router=router,
        ledger=ledger,
        script=load_script(SCRIPT),
        prompts=Prompts(),  # type: ignore[arg-type]
        config=config,
        clock=SystemClock(),
        owner="callcenter-test",
    )


def case(ledger: Ledger) -> Any:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "F-1", "城区市场监管所", "王伟", "13900000001", "个体工商户设立登记", date(2026, 10, 9)
    )
    return ledger.case_info(case_id)


async def test_telephone_system_gone_mid_call_reads_as_words_in_the_taizhang(
    ledger: Ledger, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    router = EventRouter()
    # consent (1), the thanks, 服务环境 (2); then Asterisk is gone
    ari = DyingAri(router, ["1", None, "2"])
    with caplog.at_level(logging.ERROR, logger="callcenter.calls.call"):
        result = await OutboundCall(deps(ledger, ari, router, tmp_path), case(ledger), "a1").run()
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "系统故障，通话中断，已答1题"
    [row] = LedgerReader(ledger.sessions).taizhang(attempt_ids=["a1"])
    assert row.remark == "系统故障，通话中断，已答1题"
    assert "ARI" not in row.remark
    # the technical reason is in the log, for whoever has to find out what broke
    assert DEAD in caplog.text


async def test_dialling_refused_by_the_telephone_system(
    ledger: Ledger, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    router = EventRouter()
    ari = DyingAri(router, [], dial_error=True)
    with caplog.at_level(logging.ERROR, logger="callcenter.calls.call"):
        result = await OutboundCall(deps(ledger, ari, router, tmp_path), case(ledger), "a2").run()
    assert (result.outcome, result.note) == (Outcome.FAILED, "系统故障，未能拨出")
    [row] = LedgerReader(ledger.sessions).taizhang(attempt_ids=["a2"])
    assert row.remark == "呼叫失败；系统故障，未能拨出"
    assert "Allocation failed" in caplog.text


async def test_the_line_is_freed_before_the_ledger_row_closes_and_the_hooks_run(
    ledger: Ledger, tmp_path: Path
) -> None:
    # the slot goes back when the line does: the next call need not wait for the
    # bookkeeping of this one
    router = EventRouter()
    ari = DyingAri(router, ["1", None, "2"])
    seen: list[str] = []

    async def line_free(gone: bool) -> None:
        closed = (await asyncio.to_thread(ledger.attempt, "a3")).finished
        seen.append(f"line free, row closed: {closed}")

    async def hook(result: Any) -> None:
        seen.append("hook")

    d = dataclasses.replace(deps(ledger, ari, router, tmp_path), finish_hooks=(hook,))
    call = OutboundCall(d, case(ledger), "a3", line_free=line_free)
    result = await call.run()
    assert result.outcome is Outcome.PARTIAL
    assert seen == ["line free, row closed: False", "hook"]
