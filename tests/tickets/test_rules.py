"""When a call opens a ticket: the 附件1 script's ``ticket_rules``, checked on load like
its takeover rules, applied to a call's answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.interview.script import load_script
from callcenter.kernel.errors import ScriptError
from callcenter.tickets.machine import Kind
from callcenter.tickets.rules import assess
from tests.tickets.fixtures import SCRIPT, answers, script


def test_the_script_opens_rectification_on_4_and_5_and_misconduct_on_yes() -> None:
    rules = {r.id: r for r in script().ticket_rules}
    assert rules["dissatisfied"].kind == "rectification"
    assert rules["dissatisfied"].keys == ["4", "5"]
    assert rules["dissatisfied"].questions == [
        "q1_environment",
        "q2_attitude",
        "q3_competence",
        "q5_efficiency",
    ]
    assert (rules["misconduct"].kind, rules["misconduct"].questions) == (
        "misconduct",
        ["q6_integrity"],
    )
    assert rules["misconduct"].keys == ["1"]


@pytest.mark.parametrize("score", [1, 2, 3])
def test_satisfied_or_so_so_opens_nothing(score: int) -> None:
    assert assess(script(), answers(q2=score)) is None


def test_one_finding_however_many_answers_with_their_recorded_reasons() -> None:
    finding = assess(script(), answers(q2=4, q5=5, q3=3))
    assert finding is not None
    assert finding.kind is Kind.RECTIFICATION
    assert finding.summary() == "服务态度：不太满意；办事效率：很不满意"
    assert finding.question_ids() == ("q2_attitude", "q2_reason", "q5_efficiency", "q5_reason")


def test_misconduct_with_low_scores_is_one_misconduct_finding() -> None:
    finding = assess(script(), answers(q1=4, q6=1))
    assert finding is not None
    assert finding.kind is Kind.MISCONDUCT
    assert finding.summary() == "服务环境：不太满意；索拿卡要：是"


def test_a_script_without_rules_opens_nothing() -> None:
    bare = script().model_copy(update={"ticket_rules": []})
    assert assess(bare, answers(q2=5, q6=1)) is None


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SCRIPT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _last_line_with(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return max(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "where", "message", "at"),
    [
        (
            "q3_competence, q5_efficiency]\n    keys: [4, 5]",
            "q3_competence, q9_nothing]\n    keys: [4, 5]",
            "ticket_rules[0].questions[3]",
            "'q9_nothing' is not a question of the script",
            "q3_competence, q9_nothing]",
        ),
        (
            "questions: [q6_integrity]\n    keys: [1]",
            "questions: [q6_integrity]\n    keys: [7]",
            "ticket_rules[1].keys",
            "keys ['7'] are not options of 'q6_integrity'",
            "keys: [7]",
        ),
        (
            "kind: misconduct\n    label: 反映索拿卡要",
            "kind: bribery\n    label: 反映索拿卡要",
            "ticket_rules[1].kind",
            "Input should be 'rectification' or 'misconduct'",
            "kind: bribery",
        ),
        (
            "  - id: misconduct\n    kind: misconduct",
            "  - id: dissatisfied\n    kind: misconduct",
            "ticket_rules[1].id",
            "rule id 'dissatisfied' is used twice",
            "- id: dissatisfied",
        ),
    ],
)
def test_bad_rules_are_refused_on_load_naming_file_line_and_field(
    tmp_path: Path, old: str, new: str, where: str, message: str, at: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ScriptError) as refused:
        load_script(path)
    text = str(refused.value)
    line = _last_line_with(path, at)
    assert text.startswith(f"{path}:{line}: {where}")
    assert message in text
