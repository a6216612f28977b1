"""The ``takeover:`` section of a script: loaded from the shipped script, checked on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.interview.script import load_script
from callcenter.kernel.errors import ScriptError
from callcenter.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"

BASE = """\
id: t
title: 测试
steps:
  - id: q1
    type: scale
    label: 服务环境
    text: 您对我们的服务环境是否满意？
  - id: q6
    type: yesno
    label: 索拿卡要
    text: 是否存在索拿卡要？
"""


def load(tmp_path: Path, takeover: str) -> object:
    p = tmp_path / "s.yaml"
    p.write_text(BASE + takeover, encoding="utf-8")
    return load_script(p)


def error(tmp_path: Path, takeover: str) -> str:
    with pytest.raises(ScriptError) as exc:
        load(tmp_path, takeover)
    return str(exc.value)


def test_shipped_script_hands_low_scores_misconduct_and_key_0_to_a_person() -> None:
    t = load_script(SCRIPT).takeover
    assert t is not None
    assert t.transfer.startswith("正在为您转接工作人员")
    assert t.person_key == "0"
    low = t.rule_for("q2_attitude", "4")
    assert low is not None and low.id == "low_score" and not low.misconduct
    assert t.rule_for("q2_attitude", "2") is None
    assert t.rule_for("q4_one_time_notice", "2") is None
    integrity = t.rule_for("q6_integrity", "1")
    assert integrity is not None and integrity.misconduct
    assert t.rule_for("q6_integrity", "2") is None


def test_takeover_prompts_are_rendered_with_the_script() -> None:
    prompts = dict(load_script(SCRIPT).prompts())
    assert prompts["takeover.transfer"] == "正在为您转接工作人员，请稍候。"
    assert "回电" in prompts["takeover.callback"]


def test_a_script_without_takeover_has_none(tmp_path: Path) -> None:
    assert load(tmp_path, "").takeover is None  # type: ignore[attr-defined]


def test_unknown_question_is_named_with_its_line(tmp_path: Path) -> None:
    msg = error(
        tmp_path,
        "takeover:\n  rules:\n    - id: low\n      label: 低分\n"
        "      questions: [q1, q9]\n      keys: [3]\n",
    )
    assert msg.startswith(f"{tmp_path / 's.yaml'}:16: takeover.rules[0].questions[1]:")
    assert "'q9' is not a question of the script" in msg


def test_key_that_is_not_an_option_of_the_question(tmp_path: Path) -> None:
    msg = error(
        tmp_path,
        "takeover:\n  rules:\n    - id: m\n      label: 索拿卡要\n"
        "      questions: [q6]\n      keys: [3]\n",
    )
    assert ":17: takeover.rules[0].keys:" in msg
    assert "keys ['3'] are not options of 'q6'" in msg


def test_person_key_must_not_be_an_answer(tmp_path: Path) -> None:
    msg = error(tmp_path, "takeover:\n  person_key: 1\n")
    assert ":13: takeover.person_key:" in msg and "also an option of question 'q1'" in msg


def test_person_key_must_be_one_keypad_key(tmp_path: Path) -> None:
    msg = error(tmp_path, "takeover:\n  person_key: '##'\n")
    assert ":13: takeover.person_key:" in msg and "not a single keypad key" in msg


def test_reserved_and_repeated_rule_ids(tmp_path: Path) -> None:
    rule = "    - id: {id}\n      label: x\n      questions: [q1]\n      keys: [4]\n"
    msg = error(tmp_path, "takeover:\n  rules:\n" + rule.format(id="person"))
    assert ":14: takeover.rules[0].id:" in msg and "reserved" in msg
    msg = error(tmp_path, "takeover:\n  rules:\n" + rule.format(id="a") + rule.format(id="a"))
    assert ":18: takeover.rules[1].id:" in msg and "used twice" in msg


def test_unknown_field_in_a_takeover_prompt(tmp_path: Path) -> None:
    msg = error(tmp_path, "takeover:\n  callback: '{agent}会给您回电'\n")
    assert ":13: takeover.callback:" in msg and "unknown field {agent}" in msg


def test_unknown_key_in_takeover_section(tmp_path: Path) -> None:
    msg = error(tmp_path, "takeover:\n  ring_seconds: 5\n")
    assert ":13: takeover.ring_seconds:" in msg
