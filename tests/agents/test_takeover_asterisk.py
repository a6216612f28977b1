"""Takeovers end to end: real Asterisk, the simulated applicant over SIP, and agents on
real softphones (baresip) that register with their credentials over SIP.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callcenter import bootstrap
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.pjsip import PjsipPush
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.call import CallResult
from callcenter.calls.controller import Controller
from callcenter.calls.recording import seal
from callcenter.calls.store import Ledger
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
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
    wait_registered,
)
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk

CALLBACK = "工作人员暂时无法接听，稍后会有工作人员给您回电。我们继续进行回访。"
TRANSFER = "正在为您转接工作人员，请稍候。"


@pytest.fixture(scope="module")
def settings(sandbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("takeover") / "ledger.db"
    return e2e_settings(
        database_url=f"sqlite:///{db}",
        agents={"ring_timeout": 5, "max_agents": 3},
    )


@pytest.fixture(scope="module")
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


async def start_call(
    ctl: Controller, ledger: Ledger, behaviour: str, case: CaseInfo | None = None
) -> tuple[str, asyncio.Task[CallResult]]:
    case = case or add_case(ledger, phone_number())
    await simulator.program(ctl.ari, case.phone, behaviour)
    attempt_id = f"tk-{case.case_id}-{time.monotonic_ns()}"
    return attempt_id, asyncio.create_task(ctl.call(case, attempt_id=attempt_id))


async def rtp(ari: AriClient, channel_id: str) -> dict[str, Any]:
    return await ari.rtp_statistics(channel_id)


async def test_agent_takes_over_a_low_score_and_the_note_reaches_the_taizhang(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    async with (
        agent_phone(settings, ledger, tmp_path, auto_answer=True, name="李娜") as phone,
        bootstrap.controller(settings, ledger) as ctl,
    ):
        # consents, then 4 (不太满意) on the environment; then stays on the line
        case = add_case(ledger, phone_number(), name="刘洋")
        attempt_id, call = await start_call(ctl, ledger, "answer/b1/b4", case)
        view = await takeover_of(log, attempt_id, "connected", call)
        assert view.agent_login == phone.login
        # the phone shows who calls and the 办件编号, not a database id
        established = await phone.wait_for("CALL_ESTABLISHED", timeout=5)
        assert established.data["peerdisplayname"] == "刘洋"
        assert established.data["peeruri"].startswith(f"sip:{case.case_no}@"), established.data
        assert (view.rule_id, view.question_id, view.key) == ("low_score", "q1_environment", "4")
        # the phone rang (Asterisk saw 180 Ringing) and answered
        assert view.ringing_at is not None and view.connected_at is not None
        await phone.wait_for("CALL_ESTABLISHED", timeout=5)
        # the bridge holds the applicant and the agent, and nobody else
        leg = view.offers[-1].channel_id
        bridge = await ctl.ari.request("GET", f"/bridges/{view.bridge_id}")
        assert sorted(bridge["channels"]) == sorted([attempt_id, leg])
        # audio flows both ways on both legs
        before = {c: await rtp(ctl.ari, c) for c in (attempt_id, leg)}
        await asyncio.sleep(2)
        after = {c: await rtp(ctl.ari, c) for c in (attempt_id, leg)}
        for c in (attempt_id, leg):
            for counter in ("txcount", "rxcount"):
                assert after[c][counter] > before[c][counter] + 50, (c, counter, before, after)
        # the agent hangs up; the controller ends the call
        await phone.hangup()
        result = await asyncio.wait_for(call, 30)
    assert result.outcome is Outcome.TRANSFERRED
    assert TRANSFER in result.played
    assert [a.question_id for a in result.answers] == ["consent", "q1_environment"]
    with pytest.raises(AriNotFound):
        async with AriClient(settings.ari) as ari:
            await ari.get_channel(leg)
    done = await asyncio.to_thread(log.for_attempt, attempt_id)
    assert done[-1].state == "ended"
    # the agent's record of the conversation lands in the 台账's 备注
    await asyncio.to_thread(
        log.record_outcome, view.id, phone.login, "follow_up", "申请人反映大厅空调不制冷，已转办"
    )
    [row] = LedgerReader(ledger.sessions).taizhang(attempt_ids=[attempt_id])
    # after the takeover's reason and the 整改 ticket the 4 opened, the agent's record last
    assert re.fullmatch(
        r"已转人工；需跟进：服务环境\(4\)；转人工原因：满意度评分较低；整改工单T\d{4}-\d{4}（待联系）；"
        r"坐席记录：转办件单位跟进，申请人反映大厅空调不制冷，已转办",
        row.remark,
    ), row.remark
    assert "服务环境：不太满意" in row.phone_record
    # the whole-call recording went on through the takeover
    record = LedgerReader(ledger.sessions).call(attempt_id)
    attempt = record.attempt
    assert attempt.answered_at is not None and attempt.ended_at is not None
    talk = (attempt.ended_at - attempt.answered_at).total_seconds()
    call_rec = record.recordings[0]
    assert call_rec.kind == "call" and call_rec.duration_seconds is not None
    assert abs(call_rec.duration_seconds - talk) < 2.5, (call_rec.duration_seconds, talk)
    assert seal(TEST_STORAGE / call_rec.path).sha256 == call_rec.sha256
    # the agent is free again, and idle from the end of this call
    agent = AgentRoster(ledger.sessions).get(phone.login)
    assert agent.busy_with is None and agent.idle_since >= done[-1].connected_at  # type: ignore[operator]


async def test_no_agent_registered_leaves_a_call_back_task(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    # ready in the ledger, but the softphone is gone: Asterisk says it is not registered
    async with agent_phone(settings, ledger, tmp_path, auto_answer=True) as phone:
        await phone.stop()
        async with AriClient(settings.ari) as ari:
            await wait_registered(ari, phone.login, registered=False)
        async with bootstrap.controller(settings, ledger) as ctl:
            # unhappy (5); told they will be called back, gives the reason, hangs up
            attempt_id, call = await start_call(ctl, ledger, "answer/b1/b5/t/k#/h")
            result = await asyncio.wait_for(call, 90)
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "中途挂断，已答2题；转人工未接通，已登记回电"
    assert [a.question_id for a in result.answers] == ["consent", "q1_environment", "q1_reason"]
    # no phone could ring: not told they are being put through, told they will be called
    assert TRANSFER not in result.played
    i = result.played.index(CALLBACK)
    assert result.played[i + 1].startswith("请问您是对哪些方面不够满意")
    [view] = log.for_attempt(attempt_id)
    assert view.state == "no_agent" and view.offers == ()
    tasks = [t for t in CallbackTasks(ledger.sessions).queue(include_misconduct=True)]
    mine = [t for t in tasks if t.attempt_id == attempt_id]
    assert [(t.reason, t.state) for t in mine] == [("满意度评分较低，无空闲坐席", "open")]
    assert mine[0].case.applicant == "王伟先生"
    [row] = LedgerReader(ledger.sessions).taizhang(attempt_ids=[attempt_id])
    assert "转人工未接通，已登记回电" in row.remark


async def test_first_agent_does_not_answer_the_second_gets_it(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    roster = AgentRoster(ledger.sessions)
    async with (
        # the first to become ready is the longest idle: rung first, never answers
        agent_phone(settings, ledger, tmp_path, auto_answer=False) as absent,
        agent_phone(settings, ledger, tmp_path, auto_answer=True) as present,
        bootstrap.controller(settings, ledger) as ctl,
    ):
        attempt_id, call = await start_call(ctl, ledger, "answer/b1/b1/b1/b1/b1/b1/b1")
        view = await takeover_of(log, attempt_id, "connected", call, timeout=40)
        assert view.rule_id == "misconduct" and view.misconduct
        assert view.agent_login == present.login
        assert [(o.agent_login, o.result) for o in view.offers] == [
            (absent.login, "no_answer"),
            (present.login, "answered"),
        ]
        ring = await absent.wait_for("CALL_INCOMING", timeout=1)
        closed = await absent.wait_for("CALL_CLOSED", timeout=1, after=ring.at)
        assert 4 < closed.at - ring.at < 8  # the ring timeout is 5 s
        # letting it ring out made the first agent not ready
        assert roster.get(absent.login).ready is False
        await present.hangup()
        result = await asyncio.wait_for(call, 30)
    assert result.outcome is Outcome.TRANSFERRED
    assert absent.seen("CALL_ESTABLISHED") == []


async def test_applicant_hangs_up_while_the_agent_rings(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    slow = settings.model_copy(
        update={"agents": settings.agents.model_copy(update={"ring_timeout": 30})}
    )
    async with (
        agent_phone(slow, ledger, tmp_path, auto_answer=False) as phone,
        bootstrap.controller(slow, ledger) as ctl,
    ):
        attempt_id, call = await start_call(ctl, ledger, "answer/b1/b3/w6/h")
        ring = await phone.wait_for("CALL_INCOMING", timeout=20)
        result = await asyncio.wait_for(call, 30)
        closed = await phone.wait_for("CALL_CLOSED", timeout=5, after=ring.at)
        assert closed.at - ring.at < 15  # hung up with the applicant, long before 30 s
        [view] = log.for_attempt(attempt_id)
        [offer] = view.offers
        with pytest.raises(AriNotFound):
            await ctl.ari.get_channel(offer.channel_id)
        agent = AgentRoster(ledger.sessions).get(phone.login)
        assert agent.busy_with is None and agent.ready  # cancelled, not the agent's doing
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "转人工等待中挂断，已答1题"
    assert (view.state, offer.result) == ("abandoned", "cancelled")
    assert phone.seen("CALL_ESTABLISHED") == []
    [task] = CallbackTasks(ledger.sessions).for_attempt(attempt_id)
    assert task.reason == "满意度评分较低，转接等待中挂断"


async def test_a_phone_gone_without_a_word_is_not_rung_out_and_its_agent_stays_ready(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    log = TakeoverLog(ledger.sessions)
    # Asterisk does not notice for a while (no qualify before the takeover): it still
    # has the phone's registration when the applicant asks for a person
    unaware = settings.model_copy(
        update={
            "agents": settings.agents.model_copy(
                update={"ring_timeout": 15, "qualify_frequency": 120}
            )
        }
    )
    async with agent_phone(unaware, ledger, tmp_path, auto_answer=True) as phone:
        await phone.kill()  # crashed: no un-REGISTER
        async with bootstrap.controller(unaware, ledger) as ctl:
            assert (await ctl.ari.request("GET", f"/endpoints/PJSIP/{phone.login}"))[
                "state"
            ] == "online"
            attempt_id, call = await start_call(ctl, ledger, "answer/b1/b4/w25/h")
            result = await asyncio.wait_for(call, 90)
        [view] = log.for_attempt(attempt_id)
        [offer] = view.offers
        agent = AgentRoster(ledger.sessions).get(phone.login)
    assert (offer.agent_login, offer.result, offer.ringing_at) == (phone.login, "failed", None)
    # given up after the reach timeout (3 s), not rung for the 15 s ring timeout
    assert offer.ended_at is not None
    assert (offer.ended_at - offer.offered_at).total_seconds() < 6
    # a phone that is gone is not its agent letting a call ring out
    assert agent.ready and agent.busy_with is None
    assert view.state == "no_agent"
    assert result.note.endswith("转人工未接通，已登记回电")
    [task] = CallbackTasks(ledger.sessions).for_attempt(attempt_id)
    assert task.reason == "满意度评分较低，无空闲坐席"


async def test_a_vanished_phone_is_out_of_the_ringing_within_seconds(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    async with (
        agent_phone(settings, ledger, tmp_path, auto_answer=True) as phone,
        AriClient(settings.ari) as ari,
    ):
        aor = await PjsipPush(ari, settings.agents).fetch("aor", phone.login)
        assert aor is not None
        assert (float(aor["qualify_frequency"]), float(aor["qualify_timeout"])) == (5, 2)
        await phone.kill()
        # asked every 5 s, 2 s to answer: Asterisk marks it unreachable within 7 s
        await wait_registered(ari, phone.login, timeout=9, registered=False)
