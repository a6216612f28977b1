"""许昌 (003): the person who calls an applicant back is never the case's handler
(回访人员与办案人员分离): the takeover desk skips that agent, click-to-dial refuses them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from callcenter.agents import credentials
from callcenter.agents.roster import AgentView, is_handler
from callcenter.calls.store import Ledger
from callcenter.interview.case import CaseInfo
from callcenter.interview.takeover import HandoverRequest
from tests.agents.test_desk import Line, World

HANDLER = "孙立"


def staff(world: World, login: str, name: str) -> None:
    digest = credentials.digest(login, "callcenter", "Secret-12345")
    world.roster.add(login, name, digest, "callcenter", "agent")
    world.roster.set_ready(login, True)


async def hand_over(world: World, handler: str) -> Any:
    world.ledger.upsert_unit("执法稽查科", "bureau")
    case_id = world.ledger.add_case(
        "XC-1", "执法稽查科", "周杰", "13900000001", "行政处罚决定", date(2026, 11, 3)
    )
    world.ledger.start_attempt("a1", case_id, "xuchang_law_survey", datetime.now(UTC))
    world.router.register("a1")
    request = HandoverRequest(
        rule_id="zero", rule_label="来电人要求转人工", question_id="q1_approval", key="0",
        misconduct=False, transfer_prompt="正在为您转接工作人员，请稍候。",
    )  # fmt: skip
    case = CaseInfo(
        case_id, "周杰", "13900000001", "执法稽查科", "行政处罚决定", date(2026, 11, 3),
        handler=handler,
    )  # fmt: skip
    return await asyncio.wait_for(world.desk.hand_over("a1", case, Line(), request), timeout=6)  # type: ignore[arg-type]


async def test_the_handler_is_not_offered_the_call(ledger: Ledger) -> None:
    world = World(ledger, {"sunli": "online", "wangwu": "online"})
    staff(world, "sunli", HANDLER)
    staff(world, "wangwu", "王五")
    assert await world.desk.available(None, HANDLER) == ["wangwu"]
    assert sorted(await world.desk.available(None)) == ["sunli", "wangwu"]


async def test_only_the_handler_free_means_nobody_is_rung(ledger: Ledger) -> None:
    world = World(ledger, {"sunli": "online"})
    staff(world, "sunli", HANDLER)
    result = await hand_over(world, HANDLER)
    assert not result.connected and world.ari.rung == []
    [task] = world.callbacks.for_attempt("a1")
    assert task.reason == "来电人要求转人工，无空闲坐席"


@pytest.mark.parametrize(
    ("handler", "expected"),
    [("孙立", True), (" 孙立 ", True), ("sunli", True), ("孙", False), ("", False)],
)
def test_who_is_the_handler(handler: str, expected: bool) -> None:
    agent = AgentView("sunli", "孙立", "agent", "callcenter", True, True, None, None, "")  # type: ignore[arg-type]
    assert is_handler(agent, handler) is expected
