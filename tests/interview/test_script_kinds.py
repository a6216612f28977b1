"""The bureaus' scripts (信阳 附表1, 许昌 问卷, 烟台 好差评) and the step kinds they use:
digits ended by #, choices with follow-ups after every answer but some, recorded answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.entrypoints.cli import app
from callcenter.interview.script import Digits, Question, Record, Say, Script, load_script
from callcenter.kernel.errors import ScriptError
from callcenter.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "ivr_scripts"
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
XINYANG = SCRIPTS / "xinyang_enterprise_followup.yaml"
XUCHANG = SCRIPTS / "xuchang_law_survey.yaml"
YANTAI = SCRIPTS / "yantai_three_grade.yaml"
SHIPPED = sorted(SCRIPTS.glob("*.yaml"))


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_script_check_passes_on_every_shipped_script() -> None:
    assert {p.name for p in SHIPPED} >= {XINYANG.name, XUCHANG.name, YANTAI.name}
    result = CliRunner().invoke(app, ["script", "check", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok — ") == len(SHIPPED)


def _kinds(script: Script) -> dict[str, tuple[str, str]]:
    return {q.id: (q.type, q.label) for q in script.questions()}


def test_xinyang_asks_the_rows_of_form_1_in_order() -> None:
    s = load_script(XINYANG)
    assert _kinds(s) == {
        "consent": ("yesno", "接听意愿"),
        "q1_attitude": ("scale", "服务态度"),
        "q2_one_time_notice": ("yesno", "一次性告知"),
        "q3_days": ("digits", "几天办结"),
        "q4_multiple_trips": ("yesno", "多头跑"),
        "q5_integrity": ("yesno", "吃拿卡要"),
        "q6_overall": ("choice", "总体评价"),
        "q7_suggestions": ("record", "改进意见及建议"),
        "q8_difficulties": ("record", "企业发展存在的困难问题"),
    }
    [days] = [q for q in s.questions() if isinstance(q, Digits)]
    assert (days.min_digits, days.max_digits, days.timeout, days.unit) == (1, 3, 8, "天")
    assert days.instruction.endswith("输入完毕请按井号键。")
    [overall] = [q for q in s.questions() if q.id == "q6_overall"]
    assert isinstance(overall, Question)
    assert [(o.key, o.text) for o in overall.options] == [("1", "满意"), ("2", "不满意")]
    assert [(r.id, r.kind, r.questions, r.keys) for r in s.ticket_rules] == [
        ("dissatisfied", "rectification", ["q6_overall"], ["2"]),
        ("misconduct", "misconduct", ["q5_integrity"], ["1"]),
    ]


def test_xuchang_asks_which_unit_after_every_answer_but_the_clean_one() -> None:
    s = load_script(XUCHANG)
    questions = {q.id: q for q in s.questions() if isinstance(q, Question)}
    follow_up = {"q1_approval": "q1_unit", "q2_enforcement": "q2_unit"}
    follow_up |= {"q3_consultation": "q3_unit", "q4_decision": "q4_unit"}
    for qid, unit_id in follow_up.items():
        q = questions[qid]
        assert q.type == "choice"
        clean = "有" if qid == "q3_consultation" else "不存在以上情况"
        for option in q.options:
            branch = q.branch(option.key)
            if option.text == clean:
                assert branch is None, (qid, option)
                continue
            assert branch is not None, (qid, option)
            [step] = branch.steps
            assert isinstance(step, Record) and step.id == unit_id
            assert step.text == "如有此类情况，涉及单位部门是？"
    assert [len(questions[q].options) for q in follow_up] == [4, 5, 2, 4]
    records = [q.id for q in s.questions() if isinstance(q, Record)]
    assert records[-2:] == ["q5_enforcement_problem", "q6_rule_of_law"]


def test_yantai_has_three_grades_and_a_recorded_reason_after_dissatisfied() -> None:
    s = load_script(YANTAI)
    [rating] = [q for q in s.questions() if isinstance(q, Question) and q.id == "q1_rating"]
    assert [o.text for o in rating.options] == ["满意", "基本满意", "不满意"]
    assert rating.keypad_guide() == "满意请按1，基本满意请按2，不满意请按3。"
    assert rating.branch("1") is None and rating.branch("2") is None
    branch = rating.branch("3")
    assert branch is not None and [st.id for st in branch.steps] == ["q1_reason"]
    assert [(r.kind, r.keys) for r in s.ticket_rules] == [("rectification", ["3"])]


def _normalise(text: str) -> str:
    """Wording, not punctuation: the documents mix half- and full-width marks, and the
    questionnaire's 该(地区/部门) is read aloud as 该部门."""
    text = re.sub(r"该[（(]地区[/／]部门[）)]|该地区[（(]部门[）)]", "该部门", text)
    table = str.maketrans(
        {",": "，", "?": "？", "!": "！", "(": "", ")": "", "（": "", "）": "", " ": ""}
    )
    return text.translate(table)


def _doc(seed: str) -> str:
    return _normalise((SEEDS / seed).read_text(encoding="utf-8"))


def _head(text: str) -> str:
    """The question of a prompt, without the caller's own ending."""
    return _normalise(text).split("？")[0].removesuffix("什么")


def test_xinyang_questions_are_the_rows_of_form_1() -> None:
    doc = _doc("001_edcb59460813a369.txt")
    s = load_script(XINYANG)
    asked = {q.id: q for q in s.questions()}
    # the five rows of 电话回访内容, asked as written
    for qid in ("q1_attitude", "q2_one_time_notice", "q3_days", "q4_multiple_trips"):
        assert _head(str(asked[qid].text)) in doc, qid
    assert _head(str(asked["q5_integrity"].text)) in doc
    # the rows below, by their titles; 总体评价 with the form's two grades
    for qid in ("q6_overall", "q7_suggestions", "q8_difficulties"):
        assert asked[qid].label in doc, qid
    overall = asked["q6_overall"]
    assert isinstance(overall, Question)
    assert all(f"{n}{o.text}" in doc for n, o in zip("①②", overall.options, strict=True))


def test_xuchang_questions_and_options_are_the_questionnaires_words() -> None:
    doc = _doc("003_d3f704b658b948f8.txt")
    s = load_script(XUCHANG)
    checked = 0
    for step in s.questions():
        if step.id in ("consent",):
            continue
        texts = [step.text] if isinstance(step.text, str) else list(step.text)
        if isinstance(step, Question):
            texts += [o.text for o in step.options]
        for text in texts:
            # 问答项: "…突出问题是（请简要说明情况）" is asked "…突出问题是什么？"
            assert _head(text) in doc, f"{step.id}: {_head(text)!r} is not in the questionnaire"
            checked += 1
    assert checked == 6 + 15 + 4  # questions, options, 如有此类情况 follow-ups


def test_yantai_grades_are_the_documents_words() -> None:
    doc = _doc("004_fccfbb376ec9d7cc.txt")
    [rating] = [q for q in load_script(YANTAI).questions() if q.id == "q1_rating"]
    assert isinstance(rating, Question)
    grades = "、".join(o.text for o in rating.options)
    assert f"“{grades}”" in doc  # 分“满意、基本满意、不满意”三个投票口
    assert "服务质量、服务效率" in rating.text and "服务质量、服务效率的满意度评价" in doc


# -- validation ---------------------------------------------------------------------


HEAD = "id: s\ntitle: t\nsteps:\n"


def test_other_than_branch_covers_every_other_option(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        HEAD + "  - id: q\n    type: choice\n    label: 情况\n    text: 是否遇到？\n"
        "    options: [{key: 1, text: 甲}, {key: 2, text: 乙}, {key: 3, text: 没有}]\n"
        "    when:\n      - other_than: [3]\n"
        "        steps: [{id: q_unit, type: record, label: 情况涉及单位部门, text: 哪个单位？}]\n",
    )
    [q] = [s for s in load_script(p).steps if isinstance(s, Question)]
    assert [q.branch(k) is not None for k in "123"] == [True, True, False]


@pytest.mark.parametrize(
    ("when", "line", "message"),
    [
        (
            "      - other_than: [7]\n        end: refused\n",
            10,
            r"steps\[0\].when\[0\].other_than: when.other_than \['7'\] are not option keys",
        ),
        (
            "      - keys: [1]\n        other_than: [2]\n        end: refused\n",
            10,
            r"steps\[0\].when\[0\]: a when branch names either keys or other_than",
        ),
        (
            "      - {end: refused}\n",
            10,
            r"steps\[0\].when\[0\]: a when branch names either keys or other_than",
        ),
        (
            "      - other_than: [1, 2]\n        end: refused\n",
            10,
            r"when\[0\].other_than: when.other_than names every option",
        ),
        (
            "      - keys: [1]\n        end: refused\n      - other_than: [2]\n        end: complete\n",
            12,
            r"when\[1\].other_than: key '1' is in when branch 0 and in branch 1",
        ),
    ],
)
def test_branch_errors_name_file_line_and_field(
    tmp_path: Path, when: str, line: int, message: str
) -> None:
    p = write(
        tmp_path,
        HEAD + "  - id: q\n    type: choice\n    label: x\n    text: 选吗\n"
        "    options: [{key: 1, text: 甲}, {key: 2, text: 乙}]\n    when:\n" + when,
    )
    with pytest.raises(ScriptError) as err:
        load_script(p)
    assert re.match(rf"{re.escape(str(p))}:{line}: .*{message}", str(err.value)), str(err.value)


@pytest.mark.parametrize(
    ("fields", "line", "message"),
    [
        ("min_digits: 4, max_digits: 3", 4, r"steps\[0\].min_digits: min_digits 4 is more"),
        ("max_digits: 41", 4, r"steps\[0\].max_digits: Input should be less than or equal to 40"),
        ("timeout: 0", 4, r"steps\[0\].timeout: Input should be greater than 0"),
        ("timeout: 61", 4, r"steps\[0\].timeout: Input should be less than or equal to 60"),
        ("max_digits: 0", 4, r"steps\[0\].max_digits: Input should be greater than or equal to 1"),
    ],
)
def test_digits_bounds_are_checked_on_load(
    tmp_path: Path, fields: str, line: int, message: str
) -> None:
    p = write(
        tmp_path,
        HEAD + f"  - {{id: days, type: digits, label: 几天办结, text: 几天办结？, {fields}}}\n",
    )
    with pytest.raises(ScriptError) as err:
        load_script(p)
    assert re.match(rf"{re.escape(str(p))}:{line}: {message}", str(err.value)), str(err.value)


def test_recorded_open_question_loads(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        HEAD + "  - {id: open, type: record, label: 建议, text: 您有什么建议？, max_seconds: 90}\n"
        "  - {id: bye, type: say, text: 再见, closing: true}\n",
    )
    s = load_script(p)
    assert isinstance(s.steps[0], Record) and s.steps[0].max_seconds == 90
    assert isinstance(s.steps[1], Say)


def test_a_choice_of_one_option_is_refused(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        HEAD + "  - id: q\n    type: choice\n    label: x\n    text: 选吗\n"
        "    options: [{key: 1, text: 甲}]\n",
    )
    with pytest.raises(ScriptError) as err:
        load_script(p)
    assert str(err.value) == f"{p}:8: steps[0].options: a choice question has at least 2 options"
