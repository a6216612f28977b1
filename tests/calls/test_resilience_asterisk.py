"""A dropped events WebSocket and a killed controller: no call lost, none written twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.ledger.store import LedgerReader
from callcenter.settings import PROJECT_ROOT, Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.sandbox_fixtures import CuttableProxy, e2e_settings

pytestmark = pytest.mark.asterisk


def add_case(ledger: Ledger, case_no: str, phone: str) -> int:
    ledger.upsert_unit("千秋市场监管所", "station")
    return ledger.add_case(
        case_no,
        "千秋市场监管所",
        "李娜",
        phone,
        "食品经营许可证核发",
        date(2026, 10, 20),
        title="女士",
    )


async def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(predicate):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.2)


async def test_websocket_drop_during_a_call_completes_it_once(
    sandbox: Settings, ari_proxy: CuttableProxy, tmp_path: Path
) -> None:
    settings = e2e_settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        ari={"url": f"http://127.0.0.1:{ari_proxy.port}", "reconnect_max_delay": 1.0},
    )
    phone = "13900000401"
    with bootstrap.open_ledger(settings) as ledger:
        case_id = add_case(ledger, "WSDROP-1", phone)
        reader = LedgerReader(ledger.sessions)
        async with AriClient(sandbox.ari) as direct:
            # listens to the whole consent prompt, so the drop falls inside a prompt
            await simulator.program(direct, phone, "answer/k1/b1/b2/b1/b1/b1/b2/b2/h")
        async with bootstrap.controller(settings, ledger) as ctl:
            call = asyncio.create_task(ctl.call(ledger.case_info(case_id)))
            await wait_for(
                lambda: any(
                    reader.call(a).attempt.answered_at for a in ledger.unfinished_attempts()
                ),
                30,
                "the answer",
            )
            await asyncio.sleep(3)
            before = ctl.resyncs
            ari_proxy.cut()
            # a resync happens only after a new WebSocket connected
            await wait_for(
                lambda: ctl.resyncs > before, 15, "the controller to reconnect and resync"
            )
            result = await asyncio.wait_for(call, 180)
        assert ari_proxy.cuts == 1
        assert result.outcome is Outcome.COMPLETE, result
        record = reader.call(result.attempt_id)
        assert [a.value for a in record.answers] == [
            "方便",
            "非常满意",
            "比较满意",
            "非常满意",
            "是",
            "非常满意",
            "否",
            "无",
        ]
        rows = reader.taizhang()
        assert len(rows) == 1 and ledger.unfinished_attempts() == []


def test_killed_controller_leaves_no_open_call_and_no_duplicate(
    sandbox: Settings, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    # the restarted controller is the same controller: same ARI app, so it owns the
    # attempts the killed one left open
    app = f"callcenter-crash-{os.getpid()}"
    settings = e2e_settings(database_url=db, ari={"app": app})
    phone = "13900000402"
    with bootstrap.open_ledger(settings) as ledger:
        add_case(ledger, "CRASH-1", phone)
        reader = LedgerReader(ledger.sessions)

        async def program() -> None:
            async with AriClient(sandbox.ari) as ari:
                await simulator.program(ari, phone, "answer/b1/b2/k1/b1/b1/b1/b2/b2/h")

        asyncio.run(program())
        env = {
            **os.environ,
            "CALLCENTER_DATABASE_URL": db,
            "CALLCENTER_STORAGE_ROOT": str(settings.storage_root),
            "CALLCENTER_IVR__KEY_TIMEOUT": "4",
            "CALLCENTER_ARI__APP": app,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "call", "CRASH-1"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                attempts = ledger.unfinished_attempts()
                if attempts and len(reader.call(attempts[0]).answers) >= 2:
                    break
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the call never got two answers"
                time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stdout:
                proc.stdout.close()
        attempt_id = attempts[0]

        async def restart() -> int:
            async with AriClient(sandbox.ari) as ari:
                channels = {c["id"] for c in await ari.channels()}
                assert attempt_id in channels, "the call should outlive the killed controller"
            async with bootstrap.controller(settings, ledger) as ctl:
                # the controller recovers on start; a second pass must find nothing to do
                again = await ctl.recover()
            async with AriClient(sandbox.ari) as ari:
                assert attempt_id not in {c["id"] for c in await ari.channels()}
            return again

        assert asyncio.run(restart()) == 0
        view = reader.call(attempt_id)
        assert view.attempt.outcome is Outcome.PARTIAL
        assert view.attempt.note == "控制器重启，通话中断，已答1题"
        assert [a.question_id for a in view.answers] == ["consent", "q1_environment"]
        assert len(reader.taizhang()) == 1 and ledger.unfinished_attempts() == []
