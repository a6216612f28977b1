"""The whole 差评 loop on the real sandbox: a call answered with a 4 opens a ticket; the
unit's liaison contacts the applicant by click-to-dial (a baresip phone answers); the
report is followed by a re-visit call placed by the dialler, where the applicant presses
2; supervision sends it back; a second report and re-visit, where the applicant presses
1, close it. The 台账, the ticket's history and the 整改台账 show each step."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from callcenter import bootstrap
from callcenter.access.accounts import Accounts
from callcenter.agents.click_to_dial import ClickToDial, Paths
from callcenter.agents.listen import ListenIn
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.slots import LocalSlots
from callcenter.calls.store import Ledger
from callcenter.campaign.dialer import Dialer, DialRules
from callcenter.campaign.store import CampaignStore
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import SystemClock
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.tickets.export import COLUMNS, export_xlsx, ledger_rows
from callcenter.tickets.machine import Conclusion, ContactMethod, State
from callcenter.tickets.staff import Staff
from tests.agents.phones import STATION, add_case, agent_phone, phone_number
from tests.sandbox_fixtures import e2e_settings

pytestmark = pytest.mark.asterisk

# consent 1, 服务环境 4 with a spoken reason, the rest 1, 索拿卡要 否, no suggestion
LOW_SCORE = "answer/b1/b4/t/k#/b1/b1/b1/b1/b2/b2/h"
NOT_SATISFIED = "answer/b1/b2/t/k#/h"
SATISFIED = "answer/b1/b1/h"


@pytest.fixture(scope="module")
def settings(sandbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("loop") / "ledger.db"
    return e2e_settings(
        database_url=f"sqlite:///{db}",
        agents={"ring_timeout": 8, "listen_app": f"callcenter-loop-{os.getpid()}"},
        campaign={"windows": ["00:00-24:00"], "calendar": "every-day", "retry_gap_seconds": 1},
        tickets={"revisit_after": "0h"},
    )


@pytest.fixture(scope="module")
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


async def _revisit(ctl, dialer: Dialer, sent: list[tuple[int, str]]) -> str:  # type: ignore[no-untyped-def]
    """One dispatch (which queues the re-visit now due) and its dial task; the attempt."""
    report = await dialer.dispatch()
    assert report.fed == 1 and report.queued == 1, report
    ((job_id, key),) = sent
    sent.clear()
    dialled = await dialer.dial(job_id, key)
    assert dialled.status == "dialled", dialled
    return key


async def test_a_bad_review_is_rectified_revisited_returned_and_closed(
    settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    clock = SystemClock()
    tickets = bootstrap.ticket_service(settings, ledger, clock)
    supervisor = "督查甲"
    Accounts(ledger.sessions).add_user(supervisor, "supervisor", "not-a-password-hash")
    case = add_case(ledger, phone_number())
    listen_ari = settings.ari.model_copy(update={"app": settings.agents.listen_app})
    sent: list[tuple[int, str]] = []
    async with (
        bootstrap.controller(settings, ledger, clock=clock) as ctl,
        AriClient(listen_ari) as ari,
    ):
        # 1. the follow-up call: a 4 opens the ticket, by the script's rules
        await simulator.program(ari, case.phone, LOW_SCORE)
        first = await ctl.call(case)
        assert first.outcome is Outcome.COMPLETE
        ticket_id = tickets.on_call_finished(first.attempt_id)
        assert ticket_id is not None
        ticket = tickets.ticket(ticket_id)
        assert ticket.state is State.AWAITING_CONTACT and ticket.attempt_id == first.attempt_id

        # 2. the liaison (the unit's, with a softphone) calls the applicant back
        async with agent_phone(settings, ledger, tmp_path, auto_answer=True, ready=False) as phone:
            Accounts(ledger.sessions).add_user(phone.login, "liaison", "not-a-password-hash")
            Staff(ledger.sessions, clock).bind(phone.login, STATION)
            liaison = tickets.actor(phone.login)
            await simulator.program(ari, case.phone, "answer/w3/h")
            listen = ListenIn(
                ari, AgentRoster(ledger.sessions), TakeoverLog(ledger.sessions), settings.agents
            )
            click = ClickToDial(
                ari,
                listen.router,
                AgentRoster(ledger.sessions),
                ledger,
                settings.agents,
                settings.dial,
                Paths(settings.asterisk_recordings, settings.recordings_dir, settings.storage_root),
                clock,
                listen.ensure_connected,
            )
            try:
                contact_call = await click.start(phone.login, case.case_id, ticket.number)
                async with asyncio.timeout(40):
                    await contact_call.ended.wait()
            finally:
                await click.close()
                await listen.close()
        assert contact_call.outcome is Outcome.COMPLETE
        tickets.contact(
            ticket_id, liaison, ContactMethod.PHONE, "已电话联系申请人", contact_call.attempt_id
        )
        tickets.report(ticket_id, liaison, "已调整窗口布局，增设等候座椅。")

        # 3. the re-visit, placed by the dialler with its own script: 不满意
        feed, on_done = bootstrap.revisit_hooks(settings, ledger, clock)
        dialer = Dialer(
            CampaignStore(ledger.sessions, clock),
            ledger,
            ctl,
            LocalSlots(5),
            DialRules.from_settings(settings.campaign),
            clock=clock,
            enqueue=lambda job_id, key: sent.append((job_id, key)),
            prerender=ctl.render_prompts,
            on_done=on_done,
            feed=feed,
        )
        await simulator.program(ari, case.phone, NOT_SATISFIED)
        revisit_1 = await _revisit(ctl, dialer, sent)
        assert tickets.ticket(ticket_id).state is State.VERIFYING

        # 4. supervision sends it back; a second report and re-visit: 满意
        boss = tickets.actor(supervisor)
        tickets.verify(ticket_id, boss, False, Conclusion.RETURNED, "整改不到位，退回重新整改")
        assert tickets.ticket(ticket_id).round == 2
        tickets.report(ticket_id, liaison, "已增加窗口人员，缩短等候时间。")
        await simulator.program(ari, case.phone, SATISFIED)
        revisit_2 = await _revisit(ctl, dialer, sent)

    closed = tickets.ticket(ticket_id)
    assert closed.state is State.CLOSED
    events = [(e.event, e.round, e.attempt_id) for e in tickets.store.events(ticket_id)]
    assert ("contact", 1, contact_call.attempt_id) in events
    assert ("revisit", 1, revisit_1) in events and ("revisit", 2, revisit_2) in events
    assert [e for e, *_ in events].count("verify") == 1

    reader = LedgerReader(ledger.sessions)
    first_row = reader.call(first.attempt_id).taizhang
    assert first_row is not None and ticket.number in first_row.remark
    for attempt in (revisit_1, revisit_2):
        record = reader.call(attempt)
        assert record.attempt.script_id == "yima_revisit" and record.attempt.finished
    assert reader.call(revisit_1).answers[-1].question_id == "satisfied_reason"
    assert reader.call(contact_call.attempt_id).recordings

    path = export_xlsx(
        ledger_rows([closed], tickets.call, clock.now() + timedelta(seconds=1)),
        tmp_path / "整改台账.xlsx",
    )
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    text = " ".join(str(v) for row in rows[1:] for v in row if v)
    assert closed.number in text and "满意" in text
