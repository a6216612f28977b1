from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.interview.script import Question, Record, load_script
from callcenter.kernel.errors import ScriptError
from callcenter.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
# 附件1 of source document 000 (义马市市场监督管理局工作回访制度), kept with the tests
SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "000_b3414a7451ebd649.txt"


def test_shipped_script_loads_with_six_questions_and_follow_ups() -> None:
    s = load_script(SCRIPT)
    top = [step.id for step in s.steps]
    assert top == [
        "greeting",
        "consent",
        "q1_environment",
        "q2_attitude",
        "q3_competence",
        "q4_one_time_notice",
        "q5_efficiency",
        "q6_integrity",
        "q7_suggestion",
    ]
    scales = [q for q in s.questions() if isinstance(q, Question) and q.type == "scale"]
    assert [q.id for q in scales] == [
        "q1_environment",
        "q2_attitude",
        "q3_competence",
        "q5_efficiency",
    ]
    for q in scales:
        assert [o.text for o in q.options] == [
            "非常满意",
            "比较满意",
            "一般",
            "不太满意",
            "很不满意",
        ]
        assert q.when[0].keys == ["3", "4", "5"]
        assert isinstance(q.when[0].steps[0], Record)


def _normalise(text: str) -> str:
    """Compare wording, not punctuation style: the document mixes half- and full-width marks."""
    table = str.maketrans(
        {",": "，", "?": "？", "!": "！", "(": "", ")": "", "（": "", "）": "", " ": ""}
    )
    return text.translate(table)


def test_script_wording_matches_the_source_document() -> None:
    if not SEED.exists():
        pytest.fail(f"source document {SEED} is missing")
    doc = _normalise(SEED.read_text(encoding="utf-8"))
    s = load_script(SCRIPT)
    checked = 0
    for step in s.questions():
        for text in [step.text] if isinstance(step.text, str) else step.text:
            if "{" in text:
                continue
            # every sentence of a question must appear in 附件1 word for word
            for sentence in filter(
                None, _normalise(text).replace("？", "？|").replace("！", "！|").split("|")
            ):
                assert sentence.rstrip("。") in doc, f"{step.id}: {sentence!r} is not in 附件1"
                checked += 1
    assert checked >= 15


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_error_names_file_line_and_field(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "id: s\ntitle: t\nsteps:\n  - id: q1\n    type: scale\n    label: x\n    text: 满意吗\n"
        "    options:\n      - {key: 12, text: a}\n",
    )
    with pytest.raises(ScriptError) as err:
        load_script(p)
    msg = str(err.value)
    assert msg.startswith(f"{p}:9: steps[0].options[0].key")
    assert "'12' is not a single keypad key" in msg


def test_unknown_step_type_is_reported_with_its_line(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "id: s\ntitle: t\nsteps:\n  - id: a\n    type: say\n    text: 你好\n  - id: b\n    type: dance\n    text: x\n",
    )
    with pytest.raises(ScriptError, match=r"bad.yaml:7: steps\[1\]"):
        load_script(p)


def test_branch_on_a_key_that_is_not_an_option(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "id: s\ntitle: t\nsteps:\n  - id: q\n    type: yesno\n    label: x\n    text: 是吗\n"
        "    when:\n      - keys: [7]\n        end: refused\n",
    )
    with pytest.raises(
        ScriptError,
        match=r"bad.yaml:9: steps\[0\]\.when\[0\]\.keys: when.keys \['7'\] are not option keys",
    ):
        load_script(p)


def test_unknown_template_field(tmp_path: Path) -> None:
    p = write(tmp_path, "id: s\ntitle: t\nsteps:\n  - id: a\n    type: say\n    text: 您好{nmae}\n")
    with pytest.raises(ScriptError, match=r"unknown field \{nmae\}"):
        load_script(p)


def test_duplicate_step_ids(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "id: s\ntitle: t\nsteps:\n  - {id: a, type: say, text: 一}\n  - {id: a, type: say, text: 二}\n",
    )
    with pytest.raises(ScriptError, match="step id 'a' is used twice"):
        load_script(p)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    p = write(tmp_path, "id: s\ntitle: t\nsteps:\n  - id: a\n   type: say\n")
    with pytest.raises(ScriptError, match=r"bad.yaml:\d+: YAML syntax error"):
        load_script(p)


def test_missing_file() -> None:
    with pytest.raises(ScriptError, match="no such script file"):
        load_script(Path("/nonexistent/script.yaml"))


def test_digits_and_choice_types_are_supported(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "id: s\ntitle: t\nsteps:\n"
        "  - {id: days, type: digits, label: 办理天数, text: 请输入办理天数, max_digits: 3}\n"
        "  - id: grade\n    type: choice\n    label: 评价\n    text: 您的评价\n"
        "    options: [{key: 1, text: 满意}, {key: 2, text: 基本满意}, {key: 3, text: 不满意}]\n"
        "    when: [{keys: [3], steps: [{id: why, type: record, label: 原因, text: 请说明原因}]}]\n",
    )
    s = load_script(p)
    assert [q.id for q in s.questions()] == ["days", "grade", "why"]


# found by tests/fuzz/test_script.py: each raised something other than ScriptError
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\x00", r"bad.yaml:1: character #x0000 is not allowed in YAML"),
        ("id: s\ntitle: t\n\x1b", r"bad.yaml:3: character #x001b is not allowed in YAML"),
        ("&x {a: *x}\n", r"bad.yaml:1: a YAML alias makes this node contain itself"),
        ("id: s\ntitle: 2026-02-30\n", r"bad.yaml: a YAML value cannot be read: ValueError"),
        ("id: !!int x\n", r"bad.yaml: a YAML value cannot be read: ValueError"),
        ("id: !!bool maybe\n", r"bad.yaml: a YAML value cannot be read: KeyError"),
        ("?   when:\n    - keys: [1]\n", r"bad.yaml: a YAML value cannot be read: TypeError"),
        ("a: " + "[" * 2000 + "]" * 2000 + "\n", r"bad.yaml: YAML nested too deeply"),
        (
            "id: &x s\ntitle: &x t\nsteps: []\n",
            r"bad.yaml:2: anchor &x is given twice; give each anchor once",
        ),
    ],
)
def test_unreadable_yaml_is_a_script_error(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ScriptError, match=message):
        load_script(p)
