from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.flow import Interview, InterviewResult
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import Script, load_script
from callcenter.settings import PROJECT_ROOT
from tests.interview.fakes import ScriptedLine

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
CASE = CaseInfo(
    1, "王伟", "13800000001", "城区市场监管所", "个体工商户设立登记", date(2026, 10, 9), "先生"
)


@pytest.fixture(scope="module")
def script() -> Script:
    return load_script(SCRIPT)


async def interview(
    script: Script, plan: list[object], tmp: Path
) -> tuple[InterviewResult, ScriptedLine, list[Answer]]:
    line = ScriptedLine(plan, tmp)
    saved: list[Answer] = []

    async def sink(a: Answer) -> None:
        saved.append(a)

    result = await Interview(script, CASE.prompt_fields(), line, sink).run()
    return result, line, saved


def values(answers: list[Answer]) -> dict[str, str | None]:
    return {a.question_id: a.value for a in answers}


async def test_full_interview_all_satisfied(script: Script, tmp_path: Path) -> None:
    result, line, saved = await interview(
        script, ["1", "1", "2", "1", "1", "1", "2", "2"], tmp_path
    )
    assert result.outcome is Outcome.COMPLETE
    assert values(saved) == {
        "consent": "方便",
        "q1_environment": "非常满意",
        "q2_attitude": "比较满意",
        "q3_competence": "非常满意",
        "q4_one_time_notice": "是",
        "q5_efficiency": "非常满意",
        "q6_integrity": "否",
        "q7_suggestion": "无",
    }
    assert line.played[0] == "您好，我是义马市市场监管局回访员，请问你是王伟先生吗？"
    assert (
        line.played[1] == "您于2026年10月9日在市场监管局城区市场监管所办理个体工商户设立登记事项，"
    )
    assert line.played[-1].endswith("祝您身体健康，生活愉快！")
    assert "感谢您的支持和配合！" in line.played
    assert [a.score for a in saved if a.kind == "scale"] == [1, 2, 1, 1]


async def test_refusal_says_goodbye_and_ends(script: Script, tmp_path: Path) -> None:
    result, line, saved = await interview(script, ["2"], tmp_path)
    assert result.outcome is Outcome.REFUSED
    assert values(saved) == {"consent": "不方便"}
    assert line.played[-1] == "好的，打扰您了，感谢您的接听，我们这次通话是严格保密的，请您放心。"


@pytest.mark.parametrize("score", ["3", "4", "5"])
async def test_low_score_asks_why_and_records(script: Script, tmp_path: Path, score: str) -> None:
    plan = ["1", score, ("rec", 4.0), "1", "1", "1", "1", "2", "1", ("rec", 6.0)]
    result, line, saved = await interview(script, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert line.recorded == ["q1_reason", "q7_detail"]
    reason = next(a for a in saved if a.question_id == "q1_reason")
    assert reason.kind == "recording" and reason.recording == tmp_path / "q1_reason.wav"
    assert any(t.startswith("请问您是对哪些方面不够满意") for t in line.played)
    assert line.played[-2] == "对您提出的宝贵意见，我们会进行处理，并将处理结果给您致电反馈！"


async def test_a_key_typed_twice_does_not_cut_the_recorded_question(
    script: Script, tmp_path: Path
) -> None:
    # 3, then a stray 3 while the follow-up question plays: the question is heard to the
    # end before the recording starts, and the stray key answers nothing
    plan = ["1", "3", ("during", "3"), ("rec", 4.0), "1", "1", "1", "1", "2", "2"]
    result, line, saved = await interview(script, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    before = line.events[: line.events.index(("record", "q1_reason"))]
    kind, texts = before[-1]
    assert kind == "heard", line.events
    assert isinstance(texts, list) and texts[0].startswith("请问您是对哪些方面不够满意")
    [step] = [q for q in script.questions() if q.id == "q1_reason"]
    assert texts[-1] == step.instruction
    assert values(saved)["q2_attitude"] == "非常满意"


async def test_score_two_does_not_ask_why(script: Script, tmp_path: Path) -> None:
    result, line, _ = await interview(script, ["1", "2", "1", "1", "1", "1", "2", "2"], tmp_path)
    assert result.outcome is Outcome.COMPLETE and line.recorded == []


async def test_invalid_key_then_valid(script: Script, tmp_path: Path) -> None:
    result, line, saved = await interview(
        script, ["1", "9", "2", "1", "1", "1", "1", "2", "2"], tmp_path
    )
    assert result.outcome is Outcome.COMPLETE
    assert values(saved)["q1_environment"] == "比较满意"
    assert line.played.count("输入有误。") == 1
    # the question is asked again after the error
    assert line.played.count("您对我们的服务环境是否满意？") == 2


async def test_too_many_invalid_keys_end_the_call(script: Script, tmp_path: Path) -> None:
    result, line, _ = await interview(script, ["1", "9", "8", "7"], tmp_path)
    assert result.outcome is Outcome.PARTIAL
    assert "多次输入有误" in result.note
    assert line.played[-1] == script.messages.too_many_invalid


async def test_no_input_repeats_once_then_ends(script: Script, tmp_path: Path) -> None:
    result, line, saved = await interview(script, ["1", None, None], tmp_path)
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "无按键应答，已答0题"
    assert line.played.count(script.messages.no_input) == 1
    assert line.played[-1] == script.messages.no_input_goodbye
    assert values(saved) == {"consent": "方便"}


async def test_slow_key_after_one_repeat_is_accepted(script: Script, tmp_path: Path) -> None:
    result, _, saved = await interview(
        script, ["1", None, "3", ("rec", 2.0), "1", "1", "1", "1", "2", "2"], tmp_path
    )
    assert result.outcome is Outcome.COMPLETE
    assert values(saved)["q1_environment"] == "一般"


async def test_hangup_midway_keeps_answers(script: Script, tmp_path: Path) -> None:
    result, _, saved = await interview(script, ["1", "1", "2", "hangup"], tmp_path)
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "中途挂断，已答2题"
    assert list(values(saved)) == ["consent", "q1_environment", "q2_attitude"]


async def test_hangup_during_closing_is_complete(script: Script, tmp_path: Path) -> None:
    class HangsUpOnClosing(ScriptedLine):
        async def play(self, texts: list[str]) -> None:
            if "感谢您的支持和配合！" in texts:
                self.gone = True
            await super().play(texts)

    line = HangsUpOnClosing(["1", "1", "1", "1", "1", "1", "2", "2"], tmp_path)

    async def sink(a: Answer) -> None:
        pass

    result = await Interview(script, CASE.prompt_fields(), line, sink).run()
    assert result.outcome is Outcome.COMPLETE
    assert "感谢您的支持和配合！" not in line.played


async def test_hangup_at_greeting_is_partial_with_nothing(script: Script, tmp_path: Path) -> None:
    result, _, saved = await interview(script, ["hangup"], tmp_path)
    assert result.outcome is Outcome.PARTIAL and saved == []
