"""The agents' pages over HTTP: the agent screen and its live updates, the outcome and
note, the call-back queue, the supervisor's page, and agent management."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.access.log import AccessLog
from callcenter.agents import credentials
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.notifier import Change
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.agents.views import keys as agent_keys
from callcenter.calls.store import Ledger
from callcenter.entrypoints.web import create_app
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import session_factory
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from tests.web.fixtures import USERS, csrf_token, login

AGENT = USERS["agent"][0]  # huawu1: the web user and the SIP account share the name
T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
STATION = "城区市场监管所"


@pytest.fixture
def agent_settings(web_settings: Settings) -> Settings:
    # no Redis, and an Asterisk that is not there: the pages must cope
    return web_settings.model_copy(
        update={
            "agents": web_settings.agents.model_copy(update={"events_url": None}),
            "ari": web_settings.ari.model_copy(update={"url": "http://127.0.0.1:9"}),
        }
    )


@pytest.fixture
async def agent_client(
    agent_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]]
) -> AsyncIterator[TestClient]:
    app = create_app(agent_settings, engine=web_engine)
    async with TestClient(TestServer(app)) as c:
        yield c


@pytest.fixture
def sessions(web_engine: Engine):  # type: ignore[no-untyped-def]
    return session_factory(web_engine)


def a_call(ledger: Ledger, n: int = 1) -> str:
    ledger.upsert_unit(STATION, "station")
    case_id = ledger.add_case(
        f"AG-{n}", STATION, "王伟", "13800001234", "个体工商户设立登记", date(2026, 10, 9), "先生"
    )
    attempt = f"agent-call-{n}"
    ledger.start_attempt(attempt, case_id, "yima_phone_followup", T0)
    ledger.mark_answered(attempt, T0)
    ledger.save_answer(attempt, Answer("consent", "接听意愿", "yesno", "1", "方便"))
    ledger.save_answer(
        attempt, Answer("q1_environment", "服务环境", "scale", "4", "不太满意", score=4)
    )
    return attempt


def ringing(sessions, attempt: str, login: str = AGENT, misconduct: bool = False) -> int:  # type: ignore[no-untyped-def]
    log = TakeoverLog(sessions)
    takeover = log.open(
        attempt,
        rule_id="misconduct" if misconduct else "low_score",
        rule_label="反映索拿卡要" if misconduct else "满意度评分较低",
        question_id="q1_environment",
        key="4",
        misconduct=misconduct,
        channel_id=attempt,
    )
    offer = log.offer(takeover, login, f"{attempt}-agent1")
    log.offer_ringing(offer, T0)
    return takeover


def add_agent(sessions, login: str = AGENT) -> None:  # type: ignore[no-untyped-def]
    digest = credentials.digest(login, "callcenter", "a-long-password")
    AgentRoster(sessions).add(login, "李娜", digest, "callcenter", "agent")


async def next_state(stream: ClientResponse, timeout: float = 10) -> dict:  # type: ignore[type-arg]
    async with asyncio.timeout(timeout):
        event = ""
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "state":
                return json.loads(line[6:])  # type: ignore[no-any-return]


async def test_anonymous_and_auditor_cannot_open_the_agent_screen(agent_client: TestClient) -> None:
    r = await agent_client.get("/agent", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login")
    await login(agent_client, "auditor")
    r = await agent_client.get("/agent")
    assert r.status == 403


async def test_agent_without_a_phone_is_told_how_to_get_one(agent_client: TestClient) -> None:
    await login(agent_client, "agent")
    r = await agent_client.get("/agent")
    assert r.status == 200
    assert f"callcenter agent add {AGENT}" in await r.text()


async def test_screen_shows_the_ringing_call_and_follows_it_live(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    attempt = a_call(web_ledger)
    takeover = ringing(sessions, attempt)
    await login(agent_client, "agent")
    page = await (await agent_client.get("/agent")).text()
    for shown in (
        "王伟先生",
        "138****1234",
        STATION,
        "个体工商户设立登记",
        "满意度评分较低",
        "不太满意",
    ):
        assert shown in page, shown
    assert "13800001234" not in page

    stream = await agent_client.get("/agent/events")
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    state = await next_state(stream)
    t = state["takeover"]
    assert (t["id"], t["state"], t["can_record"]) == (takeover, "ringing", False)
    assert [(a["label"], a["value"]) for a in t["answers"]] == [
        ("接听意愿", "方便"),
        ("服务环境", "不太满意"),
    ]
    assert state["agent"]["phone"] == "状态未知"  # Asterisk is not there

    # the controller (another process in production) answers and notifies
    TakeoverLog(sessions).connected(takeover, AGENT, "bridge-1")
    await agent_client.app[agent_keys.NOTIFIER].publish(_change(takeover))
    state = await next_state(stream)
    assert (state["takeover"]["state"], state["takeover"]["can_record"]) == ("connected", True)
    stream.close()


def _change(takeover: int) -> Change:
    return Change("takeover", takeover, (AGENT,))


async def test_the_agents_note_goes_into_the_taizhang(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    attempt = a_call(web_ledger)
    takeover = ringing(sessions, attempt)
    log = TakeoverLog(sessions)
    log.connected(takeover, AGENT, "bridge-1")
    log.finish(takeover, "ended")
    web_ledger.finish_attempt(attempt, Outcome.TRANSFERRED, 16, T0, "转人工原因：满意度评分较低")
    token = await login(agent_client, "agent")
    r = await agent_client.post(
        f"/agent/takeovers/{takeover}/outcome",
        data={"csrf_token": token, "outcome": "explained", "note": "已解释，申请人满意"},
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"] == "/agent?saved=1"
    [row] = LedgerReader(sessions).taizhang(attempt_ids=[attempt])
    assert row.remark.endswith("坐席记录：已解释说明，已解释，申请人满意")
    page = await (await agent_client.get("/agent?saved=1")).text()
    assert "处理结果已保存" in page and "已解释，申请人满意" in page


async def test_only_the_agent_who_talked_records_the_outcome(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,
    access_log: AccessLog,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    takeover = ringing(sessions, a_call(web_ledger), login="someone")
    TakeoverLog(sessions).connected(takeover, "someone", "b")
    token = await login(agent_client, "agent")
    r = await agent_client.post(
        f"/agent/takeovers/{takeover}/outcome",
        data={"csrf_token": token, "outcome": "explained", "note": "x"},
    )
    assert r.status == 403
    assert TakeoverLog(sessions).view(takeover).outcome is None


async def test_outcome_without_csrf_is_refused(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    takeover = ringing(sessions, a_call(web_ledger))
    TakeoverLog(sessions).connected(takeover, AGENT, "b")
    await login(agent_client, "agent")
    r = await agent_client.post(
        f"/agent/takeovers/{takeover}/outcome", data={"outcome": "explained", "note": "x"}
    )
    assert r.status == 403
    assert TakeoverLog(sessions).view(takeover).outcome is None


async def test_ready_switch(agent_client: TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    add_agent(sessions)
    token = await login(agent_client, "agent")
    r = await agent_client.post("/agent/ready", data={"csrf_token": token, "ready": "1"})
    assert r.status == 200 and "暂停接听" in await r.text()
    assert AgentRoster(sessions).get(AGENT).ready


async def test_misconduct_notes_only_for_the_allowed_roles(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    takeover = ringing(sessions, a_call(web_ledger), misconduct=True)
    log = TakeoverLog(sessions)
    log.connected(takeover, AGENT, "b")
    log.finish(takeover, "ended")
    log.record_outcome(takeover, AGENT, "misconduct", "窗口人员张某索要好处费")
    await login(agent_client, "agent")
    page = await (await agent_client.get("/agent")).text()
    assert "张某" not in page and "限授权人员查看" in page
    await agent_client.post("/logout", data={"csrf_token": csrf_token(page)})
    await login(agent_client, "supervisor")
    page = await (await agent_client.get("/supervise")).text()
    assert "不廉洁问题线索" in page and "窗口人员张某索要好处费" in page
    await agent_client.post("/logout", data={"csrf_token": csrf_token(page)})
    await login(agent_client, "auditor")
    assert (await agent_client.get("/supervise")).status == 403


async def test_call_back_queue_reveal_and_done(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,
    access_log: AccessLog,  # type: ignore[no-untyped-def]
) -> None:
    tasks = CallbackTasks(sessions)
    plain = tasks.add(a_call(web_ledger, 1), None, "满意度评分较低，无空闲坐席", misconduct=False)
    secret = tasks.add(a_call(web_ledger, 2), None, "反映索拿卡要，无空闲坐席", misconduct=True)
    token = await login(agent_client, "agent")
    page = await (await agent_client.get("/agent/callbacks")).text()
    assert f"callback-{plain}" in page and f"callback-{secret}" not in page
    assert "138****1234" in page and "13800001234" not in page
    r = await agent_client.post(f"/agent/callbacks/{plain}/reveal", data={"csrf_token": token})
    assert "13800001234" in await r.text()
    [entry] = access_log.entries(action="reveal_phone").entries
    assert (entry.username, entry.detail) == (AGENT, f"回电任务 {plain}")
    r = await agent_client.post(
        f"/agent/callbacks/{secret}/done", data={"csrf_token": token, "note": "x"}
    )
    assert r.status == 404  # not even its existence is shown
    r = await agent_client.post(
        f"/agent/callbacks/{plain}/done",
        data={"csrf_token": token, "note": "已回电，申请人表示理解"},
        allow_redirects=False,
    )
    assert r.status == 303
    assert tasks.get(plain).state == "done"


async def test_admin_adds_an_agent_and_sees_the_password_once(
    agent_client: TestClient,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    token = await login(agent_client, "admin")
    r = await agent_client.post(
        "/agents", data={"csrf_token": token, "login": "agent2001", "name": "张敏", "kind": "agent"}
    )
    page = await r.text()
    assert r.status == 200 and "已开通 agent2001" in page
    # Asterisk is not reachable here: stored, and the page says it is not live yet
    assert "交换机暂未生效" in page
    agent = AgentRoster(sessions).get("agent2001")
    password = page.split('id="added-password">')[1].split("<")[0]
    assert credentials.matches(agent.password_digest, "agent2001", agent.realm, password)
    listing = await (await agent_client.get("/agents")).text()
    assert password not in listing and "agent2001" in listing
    r = await agent_client.post("/agents", data={"csrf_token": token, "login": "Bad Name"})
    assert r.status == 400 and "must be 2-32" in await r.text()


async def test_agents_cannot_manage_agents(agent_client: TestClient) -> None:
    await login(agent_client, "agent")
    assert (await agent_client.get("/agents")).status == 403


async def test_supervisor_sees_changes_live_and_cannot_listen_to_a_finished_call(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    takeover = ringing(sessions, a_call(web_ledger))
    TakeoverLog(sessions).finish(takeover, "no_agent")
    token = await login(agent_client, "supervisor")
    stream = await agent_client.get("/supervise/events")
    await agent_client.app[agent_keys.NOTIFIER].publish(_change(takeover))
    async with asyncio.timeout(5):
        while not (line := (await stream.content.readline()).decode()).startswith("event:"):
            pass
    assert line.strip() == "event: changed"
    stream.close()
    r = await agent_client.post(
        f"/supervise/takeovers/{takeover}/listen", data={"csrf_token": token}, allow_redirects=False
    )
    assert r.status == 303 and "error=" in r.headers["Location"]
    page = await (await agent_client.get(r.headers["Location"])).text()
    assert f"takeover {takeover} is not in progress (no_agent)" in page


async def test_open_streams_end_when_the_application_shuts_down(
    agent_client: TestClient,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    add_agent(sessions)
    await login(agent_client, "agent")
    stream = await agent_client.get("/agent/events")
    await next_state(stream)
    agent_client.app[agent_keys.STOPPING].set()
    async with asyncio.timeout(2):
        assert await stream.content.read() is not None  # the server closes it
    assert stream.content.at_eof()


async def test_the_calls_page_shows_its_takeover_and_guards_misconduct_notes(
    agent_client: TestClient,
    web_ledger: Ledger,
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    attempt = a_call(web_ledger)
    takeover = ringing(sessions, attempt, misconduct=True)
    log = TakeoverLog(sessions)
    log.connected(takeover, AGENT, "b")
    log.finish(takeover, "ended")
    log.record_outcome(takeover, AGENT, "misconduct", "窗口人员张某索要好处费")
    web_ledger.finish_attempt(attempt, Outcome.TRANSFERRED, 16, T0, "转人工原因：反映索拿卡要")
    token = await login(agent_client, "auditor")
    page = await (await agent_client.get(f"/calls/{attempt}")).text()
    assert "转人工" in page and "反映索拿卡要" in page and f"接听坐席</dt><dd>{AGENT}" in page
    assert "登记不廉洁问题线索（详情限授权人员查看）" in page and "张某" not in page
    await agent_client.post("/logout", data={"csrf_token": token})
    await login(agent_client, "supervisor")
    page = await (await agent_client.get(f"/calls/{attempt}")).text()
    assert "登记不廉洁问题线索：窗口人员张某索要好处费" in page
