"""The interview hands the call to a person when a takeover rule fires."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.flow import Interview, InterviewResult
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import Script, load_script
from callcenter.interview.takeover import HandoverResult
from callcenter.settings import PROJECT_ROOT
from tests.interview.fakes import ScriptedLine

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
CASE = CaseInfo(
    1, "王伟", "13800000001", "城区市场监管所", "个体工商户设立登记", date(2026, 10, 9), "先生"
)
CALLBACK = "工作人员暂时无法接听，稍后会有工作人员给您回电。我们继续进行回访。"
AGENT = HandoverResult(connected=True, agent="agent1001")
NOBODY = HandoverResult(connected=False, callback_task=7)


@pytest.fixture(scope="module")
def script() -> Script:
    return load_script(SCRIPT)


async def run(
    script: Script, plan: list[object], tmp: Path, handover: HandoverResult | str
) -> tuple[InterviewResult, ScriptedLine, list[Answer]]:
    line = ScriptedLine(plan, tmp, handover)
    saved: list[Answer] = []

    async def sink(a: Answer) -> None:
        saved.append(a)

    return await Interview(script, CASE.prompt_fields(), line, sink).run(), line, saved


async def test_score_4_puts_the_applicant_through_and_ends_the_script(
    script: Script, tmp_path: Path
) -> None:
    result, line, saved = await run(script, ["1", "1", "4"], tmp_path, AGENT)
    assert result.outcome is Outcome.TRANSFERRED
    assert result.note == "转人工原因：满意度评分较低"
    [request] = line.handovers
    assert (request.rule_id, request.question_id, request.key) == ("low_score", "q2_attitude", "4")
    assert request.transfer_prompt == "正在为您转接工作人员，请稍候。"
    assert not request.misconduct
    # the agent sees what was answered, the answer that fired the rule included
    assert [(a.question_id, a.value) for a in request.answers] == [
        ("consent", "方便"),
        ("q1_environment", "非常满意"),
        ("q2_attitude", "不太满意"),
    ]
    assert [a.question_id for a in saved] == ["consent", "q1_environment", "q2_attitude"]
    assert line.recorded == []  # the agent asks why, not the recorder


async def test_nobody_answers_callback_prompt_then_the_interview_goes_on(
    script: Script, tmp_path: Path
) -> None:
    plan = ["1", "3", ("rec", 4.0), "1", "1", "1", "1", "2", "2"]
    result, line, saved = await run(script, plan, tmp_path, NOBODY)
    assert result.outcome is Outcome.COMPLETE
    assert result.note == "转人工未接通，已登记回电"
    assert len(line.handovers) == 1
    assert line.played.count(CALLBACK) == 1
    # the callback prompt comes right before the reason is asked for
    i = line.played.index(CALLBACK)
    assert line.played[i + 1].startswith("请问您是对哪些方面不够满意")
    assert line.recorded == ["q1_reason"]
    assert len(saved) == 9


async def test_only_one_handover_per_call(script: Script, tmp_path: Path) -> None:
    # unhappy twice and asks for a person: rung through only the first time
    plan = ["1", "5", ("rec", 3.0), "4", ("rec", 3.0), "0", "1", "1", "1", "1", "2"]
    result, line, _ = await run(script, plan, tmp_path, NOBODY)
    assert result.outcome is Outcome.COMPLETE
    assert len(line.handovers) == 1
    assert line.played.count("输入有误。") == 1  # the second 0 is just a wrong key


async def test_misconduct_report_is_flagged(script: Script, tmp_path: Path) -> None:
    result, line, _ = await run(script, ["1", "1", "1", "1", "1", "1", "1"], tmp_path, AGENT)
    assert result.outcome is Outcome.TRANSFERRED
    [request] = line.handovers
    assert (request.rule_id, request.question_id, request.misconduct) == (
        "misconduct",
        "q6_integrity",
        True,
    )
    assert request.rule_label == "反映索拿卡要"


async def test_key_0_asks_for_a_person_at_any_question(script: Script, tmp_path: Path) -> None:
    result, line, saved = await run(script, ["1", "0"], tmp_path, AGENT)
    assert result.outcome is Outcome.TRANSFERRED
    assert result.note == "转人工原因：要求人工服务"
    [request] = line.handovers
    assert (request.rule_id, request.question_id, request.key) == ("person", "q1_environment", "0")
    assert [a.question_id for a in saved] == ["consent"]


async def test_key_0_with_nobody_there_asks_the_question_again(
    script: Script, tmp_path: Path
) -> None:
    result, line, saved = await run(
        script, ["1", "0", "1", "1", "1", "1", "1", "2", "2"], tmp_path, NOBODY
    )
    assert result.outcome is Outcome.COMPLETE
    i = line.played.index(CALLBACK)
    assert line.played[i + 1] == "您对我们的服务环境是否满意？"
    assert "输入有误。" not in line.played
    assert {a.question_id: a.value for a in saved}["q1_environment"] == "非常满意"


async def test_without_a_call_back_nothing_is_promised(script: Script, tmp_path: Path) -> None:
    plan = ["1", "4", ("rec", 3.0), "1", "1", "1", "1", "2", "2"]
    result, line, _ = await run(script, plan, tmp_path, HandoverResult(connected=False))
    assert result.outcome is Outcome.COMPLETE
    assert result.note == "转人工未接通"
    assert CALLBACK not in line.played


async def test_without_agents_set_up_the_script_goes_on_as_before(
    script: Script, tmp_path: Path
) -> None:
    plan = ["1", "4", ("rec", 3.0), "1", "1", "1", "1", "2", "2"]
    nobody = HandoverResult(connected=False, offered=False)
    result, line, _ = await run(script, plan, tmp_path, nobody)
    assert (result.outcome, result.note) == (Outcome.COMPLETE, "")
    assert CALLBACK not in line.played and len(line.handovers) == 1


async def test_key_0_without_agents_set_up_is_a_wrong_key(
    script: Script, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = ["1", "0", "2", "1", "1", "1", "1", "2", "2"]
    nobody = HandoverResult(connected=False, offered=False)
    with caplog.at_level(logging.INFO, logger="callcenter.interview.flow"):
        result, line, saved = await run(script, plan, tmp_path, nobody)
    assert (result.outcome, result.note) == (Outcome.COMPLETE, "")
    # 输入有误 and the question again, as for any key that is not an option
    i = line.played.index("输入有误。")
    assert line.played[i + 1] == "您对我们的服务环境是否满意？"
    assert {a.question_id: a.value for a in saved}["q1_environment"] == "比较满意"
    messages = [r.getMessage() for r in caplog.records]
    assert not any("fired" in m for m in messages), messages
    assert (
        "takeover rule person matched at q1_environment (key 0) but no agents are set up: "
        "taken as a wrong key"
    ) in messages


async def test_three_0s_without_agents_end_the_call_like_wrong_keys(
    script: Script, tmp_path: Path
) -> None:
    nobody = HandoverResult(connected=False, offered=False)
    result, line, _ = await run(script, ["1", "0", "0", "0"], tmp_path, nobody)
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "多次输入有误，已答0题"
    assert line.played[-1] == script.messages.too_many_invalid


async def test_hang_up_while_waiting_for_an_agent(script: Script, tmp_path: Path) -> None:
    result, _, _ = await run(script, ["1", "1", "5"], tmp_path, "hangup")
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "转人工等待中挂断，已答2题"


async def test_script_without_takeover_never_hands_over(script: Script, tmp_path: Path) -> None:
    plain = script.model_copy(update={"takeover": None})
    plan = ["1", "4", ("rec", 3.0), "1", "1", "1", "1", "2", "2"]
    result, line, _ = await run(plain, plan, tmp_path, AGENT)
    assert result.outcome is Outcome.COMPLETE
    assert line.handovers == []
