"""A supervisor listens in on a live takeover from a real softphone; neither the applicant
nor the agent hears the supervisor. Each phone sends its own tone (agent 440 Hz,
supervisor 1000 Hz), so what reached whom can be measured in what each one heard.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.agents.listen import ListenIn
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.kernel.errors import AriNotFound
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.agents.phones import (
    add_case,
    agent_phone,
    phone_number,
    takeover_of,
    tone_contrast,
    tone_level,
)
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk

AGENT_HZ, SUPERVISOR_HZ = 440.0, 1000.0
LOUD = 500.0  # RMS of a tone that is there
# a tone that is there stands 50-100 times above the frequencies around it; one that is not
# is lost among the prompts and line noise that also reach each phone (about 1)
PEAK, ABSENT = 10.0, 3.0


@pytest.fixture(scope="module")
def settings(sandbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("listen") / "ledger.db"
    # an ARI app of this run's own, like the controller's (see e2e_settings)
    listen_app = f"callcenter-listen-{os.getpid()}"
    return e2e_settings(
        database_url=f"sqlite:///{db}", agents={"ring_timeout": 8, "listen_app": listen_app}
    )


@pytest.fixture(scope="module")
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


async def test_supervisor_hears_the_takeover_and_nobody_hears_the_supervisor(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    listen_ari = settings.ari.model_copy(update={"app": settings.agents.listen_app})
    async with (
        agent_phone(settings, ledger, tmp_path, auto_answer=True, tone_hz=AGENT_HZ) as agent,
        agent_phone(
            settings,
            ledger,
            tmp_path,
            auto_answer=True,
            ready=False,
            kind="supervisor",
            tone_hz=SUPERVISOR_HZ,
        ) as supervisor,
        bootstrap.controller(settings, ledger) as ctl,
        AriClient(listen_ari) as ari,
    ):
        case = add_case(ledger, phone_number())
        await simulator.program(ctl.ari, case.phone, "answer/b1/b4")
        attempt_id = f"listen-{case.case_id}-{time.monotonic_ns()}"
        call = asyncio.create_task(ctl.call(case, attempt_id=attempt_id))
        takeover = await takeover_of(log, attempt_id, "connected", call)
        leg = takeover.offers[-1].channel_id

        listen = ListenIn(ari, AgentRoster(ledger.sessions), log, settings.agents)
        try:
            session = await listen.start(takeover.id, supervisor.login)
            await supervisor.wait_for("CALL_ESTABLISHED", timeout=10)
            async with asyncio.timeout(10):
                while session.state != "listening":
                    await asyncio.sleep(0.05)
            # the takeover's bridge still holds exactly the applicant and the agent
            bridge = await ari.request("GET", f"/bridges/{takeover.bridge_id}")
            assert sorted(bridge["channels"]) == sorted([attempt_id, leg])
            # the supervisor is in a bridge of their own, with a snoop on the applicant
            own = await ari.request("GET", f"/bridges/{session.bridge_id}")
            assert sorted(own["channels"]) == sorted([session.phone_channel, session.snoop_channel])
            before = await ari.rtp_statistics(session.phone_channel)
            await asyncio.sleep(3)
            after = await ari.rtp_statistics(session.phone_channel)
            assert after["txcount"] > before["txcount"] + 100  # the supervisor hears
            assert after["rxcount"] > before["rxcount"] + 100  # and talks, to no one
            await supervisor.hangup()
            async with asyncio.timeout(10):
                await session.ended.wait()
            # the supervisor leaving changes nothing for the two parties
            assert log.view(takeover.id).state == "connected"
            with pytest.raises(AriNotFound):
                await ari.request("GET", f"/bridges/{session.bridge_id}")
        finally:
            await listen.close()
        await agent.hangup()
        await asyncio.wait_for(call, 30)

    # what each one heard (complete once the phones hung up): the supervisor heard the
    # agent; the agent and the applicant (the whole-call recording) never the supervisor
    assert tone_level(supervisor.heard, AGENT_HZ) > LOUD
    assert tone_contrast(supervisor.heard, AGENT_HZ) > PEAK
    assert tone_contrast(supervisor.heard, SUPERVISOR_HZ) < ABSENT
    assert tone_contrast(agent.heard, SUPERVISOR_HZ) < ABSENT
    record = LedgerReader(ledger.sessions).call(attempt_id)
    wav = TEST_STORAGE / record.recordings[0].path
    answered = record.attempt.answered_at
    assert answered is not None and takeover.connected_at is not None
    bridged = (takeover.connected_at - answered).total_seconds()
    assert tone_level(wav, AGENT_HZ, start=bridged + 1, seconds=3) > LOUD
    assert tone_contrast(wav, AGENT_HZ, start=bridged + 1, seconds=3) > PEAK
    assert tone_contrast(wav, SUPERVISOR_HZ, start=bridged, seconds=8) < ABSENT
    assert tone_contrast(wav, SUPERVISOR_HZ) < ABSENT
