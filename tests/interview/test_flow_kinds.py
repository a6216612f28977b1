"""The call flow of the bureaus' scripts: digits ended by # (信阳 几天办结), multiple choice
with a recorded "which unit" after a reported problem (许昌), three grades with a recorded
reason after 不满意 (烟台), and the 差评 tickets their rules open."""

from __future__ import annotations

from collections.abc import Sequence
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
from callcenter.tickets.machine import Kind
from callcenter.tickets.rules import assess
from tests.interview.fakes import ScriptedLine

SCRIPTS = PROJECT_ROOT / "ivr_scripts"
CASE = CaseInfo(1, "李娜", "13800000002", "建筑市场科", "施工许可", date(2026, 11, 20), "女士")
DAYS_PROMPT = ["您所办理的事项在几天办结？", "请用电话按键输入天数，输入完毕请按井号键。"]
INVALID, NO_INPUT = "输入有误。", "没有收到您的按键，请再听一遍。"


@pytest.fixture(scope="module")
def xinyang() -> Script:
    return load_script(SCRIPTS / "xinyang_enterprise_followup.yaml")


@pytest.fixture(scope="module")
def xuchang() -> Script:
    return load_script(SCRIPTS / "xuchang_law_survey.yaml")


@pytest.fixture(scope="module")
def yantai() -> Script:
    return load_script(SCRIPTS / "yantai_three_grade.yaml")


class TimedLine(ScriptedLine):
    """Also notes how long the flow waits for each key."""

    def __init__(self, plan: list[object], tmp: Path) -> None:
        super().__init__(plan, tmp, HandoverResult(connected=False, offered=False))
        self.timeouts: list[float] = []

    async def get_key(self, timeout: float) -> str | None:
        self.timeouts.append(timeout)
        return await super().get_key(timeout)


async def run(
    script: Script, plan: Sequence[object], tmp: Path
) -> tuple[InterviewResult, TimedLine, dict[str, Answer]]:
    line = TimedLine(list(plan), tmp)
    saved: dict[str, Answer] = {}

    async def sink(a: Answer) -> None:
        saved[a.question_id] = a

    result = await Interview(script, CASE.prompt_fields(), line, sink).run()
    return result, line, saved


# 信阳: consent, 服务态度, 一次性告知 — then 几天办结 — then the rest
BEFORE_DAYS: list[object] = ["1", "2", "1"]
AFTER_DAYS: list[object] = ["2", "2", "1", ("rec", 5.0), ("rec", 4.0)]


async def test_xinyang_form_is_answered_with_days_typed_then_hash(
    xinyang: Script, tmp_path: Path
) -> None:
    plan = [*BEFORE_DAYS, "1", "2", "#", *AFTER_DAYS]
    result, line, saved = await run(xinyang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert {q: (a.kind, a.keys, a.value) for q, a in saved.items()} == {
        "consent": ("yesno", "1", "方便"),
        "q1_attitude": ("scale", "2", "比较满意"),
        "q2_one_time_notice": ("yesno", "1", "是"),
        "q3_days": ("digits", "12", "12天"),
        "q4_multiple_trips": ("yesno", "2", "否"),
        "q5_integrity": ("yesno", "2", "否"),
        "q6_overall": ("choice", "1", "满意"),
        "q7_suggestions": ("recording", None, None),
        "q8_difficulties": ("recording", None, None),
    }
    assert saved["q3_days"].label == "几天办结"
    assert line.recorded == ["q7_suggestions", "q8_difficulties"]
    assert INVALID not in line.played and NO_INPUT not in line.played
    # each key of the number is waited for as long as the step says, not the script default
    start = len(BEFORE_DAYS)
    assert line.timeouts[start : start + 3] == [8, 8, 8]
    assert line.played[-1] == "感谢您的支持和配合，再见！"


async def test_digits_followed_by_silence_count_as_ended(xinyang: Script, tmp_path: Path) -> None:
    result, line, saved = await run(xinyang, [*BEFORE_DAYS, "5", None, *AFTER_DAYS], tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert (saved["q3_days"].keys, saved["q3_days"].value) == ("5", "5天")
    assert NO_INPUT not in line.played


@pytest.mark.parametrize(
    "wrong",
    [
        ["1", "2", "3", "4", "#"],  # more than max_digits (3)
        ["#"],  # nothing typed
        ["1", "*", "#"],  # not a number
    ],
)
async def test_a_wrong_entry_is_asked_again(
    xinyang: Script, tmp_path: Path, wrong: list[str]
) -> None:
    plan = [*BEFORE_DAYS, *wrong, "7", "#", *AFTER_DAYS]
    result, line, saved = await run(xinyang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert saved["q3_days"].value == "7天"
    assert line.played.count(INVALID) == 1
    i = line.played.index(INVALID)
    assert line.played[i + 1 : i + 3] == DAYS_PROMPT


async def test_too_long_an_entry_is_read_to_its_hash(xinyang: Script, tmp_path: Path) -> None:
    # the # that ends a too long entry is not taken for an empty second try
    plan: list[object] = [*BEFORE_DAYS, "1", "2", "3", "4", "#", "3", "#", *AFTER_DAYS]
    result, line, saved = await run(xinyang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert saved["q3_days"].value == "3天"
    assert line.played.count(INVALID) == 1
    assert saved["q4_multiple_trips"].value == "否"


async def test_typing_during_the_repeat_starts_the_next_try(
    xinyang: Script, tmp_path: Path
) -> None:
    plan: list[object] = [*BEFORE_DAYS, "*", "#", ("during", "9"), "#", *AFTER_DAYS]
    result, line, saved = await run(xinyang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert saved["q3_days"].value == "9天"
    assert ("cut", [INVALID, *DAYS_PROMPT]) in line.events


async def test_silence_at_the_digits_repeats_once_then_ends(
    xinyang: Script, tmp_path: Path
) -> None:
    result, line, saved = await run(xinyang, [*BEFORE_DAYS, None, None], tmp_path)
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "无按键应答，已答2题"
    assert line.played.count(NO_INPUT) == 1
    assert "q3_days" not in saved
    assert line.played[-1].startswith("由于没有收到您的按键")


async def test_too_many_wrong_entries_end_the_call(xinyang: Script, tmp_path: Path) -> None:
    result, line, _ = await run(
        xinyang, [*BEFORE_DAYS, "#", "*", "#", "1", "2", "3", "4", "#"], tmp_path
    )
    assert result.outcome is Outcome.PARTIAL
    assert result.note == "多次输入有误，已答2题"
    assert line.played.count(INVALID) == 2
    assert line.played[-1].startswith("多次输入有误")


async def test_xinyang_dissatisfied_opens_a_rectification_ticket(
    xinyang: Script, tmp_path: Path
) -> None:
    plan = [*BEFORE_DAYS, "3", "#", "2", "2", "2", ("rec", 5.0), ("rec", 4.0)]
    result, _, saved = await run(xinyang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE and saved["q6_overall"].value == "不满意"
    finding = assess(xinyang, list(saved.values()))
    assert finding is not None and finding.kind is Kind.RECTIFICATION
    assert finding.summary() == "总体评价：不满意"


async def test_xuchang_asks_which_unit_only_after_a_reported_problem(
    xuchang: Script, tmp_path: Path
) -> None:
    plan = [
        "1",  # consent
        "2",  # 应当办理而不办理
        ("rec", 4.0),  # 如有此类情况，涉及单位部门是
        "5",  # 不存在以上情况: no follow-up
        "2",  # 没有 (consulted the public): a problem
        ("rec", 3.0),
        "4",  # 不存在以上情况
        ("rec", 6.0),  # 问答项 1
        ("rec", 6.0),  # 问答项 2
    ]
    result, line, saved = await run(xuchang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert {q: a.value for q, a in saved.items() if a.kind == "choice"} == {
        "q1_approval": "应当办理而不办理",
        "q2_enforcement": "不存在以上情况",
        "q3_consultation": "没有",
        "q4_decision": "不存在以上情况",
    }
    assert line.recorded == ["q1_unit", "q3_unit", "q5_enforcement_problem", "q6_rule_of_law"]
    assert saved["q1_unit"].label == "办理审批许可遇到的情况涉及单位部门"
    # the keypad guide reads every option
    assert (
        "越权执法请按1，执法不公开请按2，执法简单粗暴请按3，乱收费、乱罚款请按4，"
        "不存在以上情况请按5。"
    ) in line.played
    assert line.played.count("如有此类情况，涉及单位部门是？") == 2


async def test_xuchang_has_says_no_which_unit(xuchang: Script, tmp_path: Path) -> None:
    plan = ["1", "4", "5", "1", "1", ("rec", 4.0), ("rec", 2.0), ("rec", 2.0)]
    result, line, saved = await run(xuchang, plan, tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert saved["q3_consultation"].value == "有"
    assert saved["q4_decision"].value == "违法决策"
    assert line.recorded == ["q4_unit", "q5_enforcement_problem", "q6_rule_of_law"]


@pytest.mark.parametrize(("key", "grade"), [("1", "满意"), ("2", "基本满意")])
async def test_yantai_satisfied_grades_end_without_a_reason(
    yantai: Script, tmp_path: Path, key: str, grade: str
) -> None:
    result, line, saved = await run(yantai, ["1", key], tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert saved["q1_rating"].value == grade and line.recorded == []
    assert assess(yantai, list(saved.values())) is None


async def test_yantai_dissatisfied_records_the_reason_and_opens_the_ticket(
    yantai: Script, tmp_path: Path
) -> None:
    result, line, saved = await run(yantai, ["1", "3", ("rec", 6.0)], tmp_path)
    assert result.outcome is Outcome.COMPLETE
    assert (saved["q1_rating"].keys, saved["q1_rating"].value) == ("3", "不满意")
    assert line.recorded == ["q1_reason"]
    assert saved["q1_reason"].recording is not None
    finding = assess(yantai, list(saved.values()))
    assert finding is not None and finding.kind is Kind.RECTIFICATION
    assert finding.question_ids() == ("q1_rating", "q1_reason")


async def test_yantai_dissatisfied_is_put_through_when_agents_are_set_up(
    yantai: Script, tmp_path: Path
) -> None:
    line = ScriptedLine(["1", "3", ("rec", 6.0)], tmp_path)  # nobody answers: call-back
    saved: list[Answer] = []

    async def sink(a: Answer) -> None:
        saved.append(a)

    result = await Interview(yantai, CASE.prompt_fields(), line, sink).run()
    assert result.outcome is Outcome.COMPLETE
    assert [(h.rule_id, h.question_id, h.key) for h in line.handovers] == [
        ("dissatisfied", "q1_rating", "3")
    ]
    assert line.recorded == ["q1_reason"]
