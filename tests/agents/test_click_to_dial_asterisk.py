"""Click-to-dial on the real sandbox: a staff member's softphone rings first and shows the
case's 办件编号; when it answers, the simulated applicant is dialled and bridged to it; the
call is a ledger row of its own with its whole-call recording, and the caller is told."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.agents.click_to_dial import SCRIPT_ID, ClickToDial, Paths
from callcenter.agents.listen import ListenIn
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import SystemClock
from callcenter.kernel.errors import AgentError
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.agents.phones import add_case, agent_phone, phone_number, tone_level
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk

STAFF_HZ = 440.0


@pytest.fixture(scope="module")
def settings(sandbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("click") / "ledger.db"
    listen_app = f"callcenter-click-{os.getpid()}"
    return e2e_settings(
        database_url=f"sqlite:///{db}", agents={"ring_timeout": 8, "listen_app": listen_app}
    )


@pytest.fixture(scope="module")
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


def _dialer(settings: Settings, ledger: Ledger, ari: AriClient, listen: ListenIn) -> ClickToDial:
    paths = Paths(settings.asterisk_recordings, settings.recordings_dir, settings.storage_root)
    return ClickToDial(
        ari,
        listen.router,
        AgentRoster(ledger.sessions),
        ledger,
        settings.agents,
        settings.dial,
        paths,
        SystemClock(),
        listen.ensure_connected,
    )


async def test_the_staff_phone_rings_then_the_applicant_and_the_call_is_kept(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    listen_ari = settings.ari.model_copy(update={"app": settings.agents.listen_app})
    told: list[tuple[str, Outcome]] = []

    async def finished(attempt_id: str, outcome: Outcome) -> None:
        told.append((attempt_id, outcome))

    async with (
        agent_phone(
            settings, ledger, tmp_path, auto_answer=True, ready=False, tone_hz=STAFF_HZ
        ) as staff,
        AriClient(listen_ari) as ari,
    ):
        case = add_case(ledger, phone_number())
        await simulator.program(ari, case.phone, "answer/w5/h")
        listen = ListenIn(
            ari, AgentRoster(ledger.sessions), TakeoverLog(ledger.sessions), settings.agents
        )
        dialer = _dialer(settings, ledger, ari, listen)
        try:
            call = await dialer.start(staff.login, case.case_id, "整改联系", finished)
            established = await staff.wait_for("CALL_ESTABLISHED", timeout=15)
            async with asyncio.timeout(40):
                await call.ended.wait()
        finally:
            await dialer.close()
            await listen.close()

    assert established.data["peerdisplayname"] == case.case_no
    assert told == [(call.attempt_id, Outcome.COMPLETE)]
    record = LedgerReader(ledger.sessions).call(call.attempt_id)
    assert record.attempt.script_id == SCRIPT_ID
    assert record.attempt.answered_at is not None
    assert record.attempt.outcome is Outcome.COMPLETE
    assert "人工联系" in record.attempt.note and staff.login in record.attempt.note
    (recording,) = record.recordings
    assert recording.sha256 and (recording.duration_seconds or 0) >= 3
    # the applicant's side of the bridge heard the staff phone
    assert tone_level(TEST_STORAGE / recording.path, STAFF_HZ) > 300


async def test_a_user_without_a_phone_is_told_how_to_get_one(
    settings: Settings, ledger: Ledger
) -> None:
    listen_ari = settings.ari.model_copy(update={"app": settings.agents.listen_app})
    async with AriClient(listen_ari) as ari:
        case = add_case(ledger, phone_number())
        listen = ListenIn(
            ari, AgentRoster(ledger.sessions), TakeoverLog(ledger.sessions), settings.agents
        )
        dialer = _dialer(settings, ledger, ari, listen)
        with pytest.raises(AgentError, match="callcenter agent add nobody"):
            await dialer.start("nobody", case.case_id, "整改联系")
        await listen.close()
