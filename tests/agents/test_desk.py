"""The takeover desk without Asterisk: who can take a call, before anybody is told so."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from callcenter.agents import credentials
from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.config import AgentSettings
from callcenter.agents.desk import TakeoverDesk
from callcenter.agents.notifier import LocalNotifier
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.store import Ledger
from callcenter.interview.case import CaseInfo
from callcenter.interview.takeover import HandoverRequest
from callcenter.kernel.errors import AriNotFound
from callcenter.telephony.ari.router import EventRouter

TRANSFER = "正在为您转接工作人员，请稍候。"


class Asterisk:
    """What the desk asks of ARI, answered from a table of phones.

    ``phones``: login -> endpoint state ("online"/"offline"); an agent not in it is
    unknown to Asterisk. A phone in ``silent`` is rung but never rings (it is gone).
    """

    app = "callcenter-test"

    def __init__(self, router: EventRouter, phones: dict[str, str], silent: set[str]) -> None:
        self.router = router
        self.phones = phones
        self.silent = silent
        self.calls: list[tuple[str, str]] = []
        self.rung: list[str] = []
        self.hung_up: list[str] = []

    def _later(self, event: dict[str, Any]) -> None:
        asyncio.get_running_loop().call_soon(
            lambda: asyncio.ensure_future(self.router.dispatch(event))
        )

    async def request(self, method: str, path: str, *a: Any, **k: Any) -> Any:
        self.calls.append((method, path))
        if path == "/endpoints/PJSIP":
            return [
                {"resource": login, "state": state, "channel_ids": []}
                for login, state in self.phones.items()
            ]
        if method == "PUT" and path.startswith("/asterisk/config/dynamic/res_pjsip/endpoint/"):
            self.phones.setdefault(path.rsplit("/", 1)[1], "offline")
            return []
        if "/play/" in path:  # the transfer prompt on the bridge: heard to its end
            playback = path.rsplit("/", 1)[1]
            bridge = path.split("/")[2]
            self._later(
                {
                    "type": "PlaybackFinished",
                    "playback": {"id": playback, "target_uri": f"bridge:{bridge}"},
                }
            )
            return {}
        if path.startswith("/playbacks/"):
            raise AriNotFound(f"{path} not found", 404)
        return {}

    async def originate(
        self, endpoint: str, *, channel_id: str, timeout: int, **k: Any
    ) -> dict[str, Any]:
        login = endpoint.split("/", 1)[1]
        self.rung.append(login)
        if login not in self.silent:  # it rings, and nobody picks it up
            ringing = {"id": channel_id, "state": "Ringing"}
            self._later({"type": "ChannelStateChange", "channel": ringing})
            gone = {"type": "ChannelDestroyed", "cause": 19, "channel": {"id": channel_id}}
            asyncio.get_running_loop().call_later(timeout, self._later, gone)
        return {"id": channel_id, "protocol_id": ""}

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        self.hung_up.append(channel_id)
        self._later({"type": "ChannelDestroyed", "cause": 16, "channel": {"id": channel_id}})

    async def stop_playback(self, playback_id: str) -> None:
        pass


class Line:
    def __init__(self) -> None:
        self.hung_up = asyncio.Event()
        self.played: list[str] = []

    def media_for(self, text: str) -> str:
        return f"sound:/p/{len(text)}"


class World:
    def __init__(self, ledger: Ledger, phones: dict[str, str], silent: set[str] = frozenset()):
        self.ledger = ledger
        self.router = EventRouter()
        self.ari = Asterisk(self.router, phones, set(silent))
        self.roster = AgentRoster(ledger.sessions)
        self.log = TakeoverLog(ledger.sessions)
        self.callbacks = CallbackTasks(ledger.sessions)
        self.settings = AgentSettings(ring_timeout=3, reach_timeout=0.3, events_url=None)
        self.desk = TakeoverDesk(
            self.ari,  # type: ignore[arg-type]
            self.router,
            self.roster,
            self.log,
            self.callbacks,
            LocalNotifier(),
            self.settings,
        )

    def agent(self, login: str, ready: bool = True) -> None:
        digest = credentials.digest(login, "callcenter", "Secret-12345")
        self.roster.add(login, login, digest, "callcenter", "agent")
        self.roster.set_ready(login, ready)

    async def hand_over(self, line: Line) -> Any:
        self.ledger.upsert_unit("城区市场监管所", "station")
        case_id = self.ledger.add_case(
            "D-1", "城区市场监管所", "王伟", "13900000001", "个体工商户设立登记", date(2026, 10, 9)
        )
        self.ledger.start_attempt("a1", case_id, "yima", datetime.now(UTC))
        self.router.register("a1")
        request = HandoverRequest(
            rule_id="low_score",
            rule_label="满意度评分较低",
            question_id="q1_environment",
            key="4",
            misconduct=False,
            transfer_prompt=TRANSFER,
        )
        case = CaseInfo(case_id, "王伟", "13900000001", "城区市场监管所", "登记", date(2026, 10, 9))
        return await asyncio.wait_for(
            self.desk.hand_over("a1", case, line, request),  # type: ignore[arg-type]
            timeout=6,
        )


async def test_nobody_registered_no_transfer_is_announced(ledger: Ledger) -> None:
    world = World(ledger, {"agent1": "offline"})
    world.agent("agent1")
    line = Line()
    result = await world.hand_over(line)
    assert not result.connected and result.callback_task is not None
    # no bridge, no 正在为您转接: the applicant goes straight back to the script
    assert TRANSFER not in line.played
    assert not any(path.startswith("/bridges") for _, path in world.ari.calls)
    assert world.ari.rung == []
    [view] = world.log.for_attempt("a1")
    assert view.state == "no_agent" and view.offers == ()
    [task] = world.callbacks.for_attempt("a1")
    assert task.reason == "满意度评分较低，无空闲坐席"


async def test_an_agent_asterisk_forgot_is_pushed_again(ledger: Ledger) -> None:
    # Asterisk restarted: the agent's endpoint is gone from its memory
    world = World(ledger, {})
    world.agent("agent1")
    await world.hand_over(Line())
    pushed = [path for method, path in world.ari.calls if method == "PUT"]
    assert pushed == [
        "/asterisk/config/dynamic/res_pjsip/auth/agent1",
        "/asterisk/config/dynamic/res_pjsip/aor/agent1",
        "/asterisk/config/dynamic/res_pjsip/endpoint/agent1",
    ]


async def test_a_phone_that_never_rings_is_given_up_and_its_agent_stays_ready(
    ledger: Ledger,
) -> None:
    # Asterisk still thinks agent1's phone is there; it crashed and never answers SIP
    world = World(ledger, {"agent1": "online", "agent2": "online"}, silent={"agent1"})
    world.agent("agent1")
    world.agent("agent2")
    loop = asyncio.get_running_loop()
    started = loop.time()
    line = Line()
    result = await world.hand_over(line)
    assert world.ari.rung == ["agent1", "agent2"]
    [view] = world.log.for_attempt("a1")
    assert [(o.agent_login, o.result) for o in view.offers] == [
        ("agent1", "failed"),
        ("agent2", "no_answer"),
    ]
    # given up after the reach timeout, not after the 3 s ring timeout
    first = view.offers[0]
    assert first.ended_at is not None
    assert (first.ended_at - first.offered_at).total_seconds() < 1.5
    # a gone phone is not the agent letting it ring out; agent2 did let it ring out
    assert world.roster.get("agent1").ready is True
    assert world.roster.get("agent2").ready is False
    assert not result.connected and loop.time() - started < 6
    assert TRANSFER in line.played


@pytest.mark.parametrize("case_no", ["YM20261000001", ""])
def test_the_agents_phone_shows_the_case_number(case_no: str) -> None:
    from callcenter.agents._legs import caller_id

    case = CaseInfo(5, "刘洋", "139", "城区市场监管所", "登记", date(2026, 10, 9), case_no=case_no)
    assert caller_id(case) == ('"刘洋" <YM20261000001>' if case_no else '"刘洋"')
