"""What the neural voice is asked to say: pure, so tested whether or not it is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts._pinyin import PAUSES_MS
from callcenter.telephony.prompts.neural import (
    KEYPAD_PAUSE_MS,
    WORD_BREAK,
    NeuralEngine,
    NeuralSettings,
    is_installed,
    phrases,
)


def test_keypad_choices_are_said_as_words_with_a_pause_after_each() -> None:
    said = phrases("非常满意请按1，比较满意请按2。")
    # a phrase break before 请按 and a word break after it (the corpus's prosody labels)
    assert [" ".join(c.syllables) for c in said] == [
        "fei1 chang2 #1 man3 yi4 #2 qing3 an4 #1 yi1",
        "bi3 jiao4 man3 yi4 #2 qing3 an4 #1 er4",
    ]
    assert [c.pause_ms for c in said] == [KEYPAD_PAUSE_MS, PAUSES_MS["。"]]
    assert PAUSES_MS["，"] < KEYPAD_PAUSE_MS


def test_yes_no_keys() -> None:
    said = phrases("是请按1，否请按2。")
    assert [c.syllables for c in said] == [
        ("shi4", "#2", "qing3", "an4", "#1", "yi1"),
        ("fou3", "#2", "qing3", "an4", "#1", "er4"),
    ]


def test_a_keypad_instruction_inside_a_clause_is_set_apart_too() -> None:
    [said] = phrases("说完请按井号键。")
    assert said.syllables[:6] == ("shuo1", "wan2", "#2", "qing3", "an4", "#1")
    assert [s for s in said.syllables[6:] if not s.startswith("#")] == ["jing3", "hao4", "jian4"]
    assert said.pause_ms == PAUSES_MS["。"]  # it does not end in a key


def test_phone_numbers_say_yao_for_one_with_a_pause_between_groups() -> None:
    [area, number] = phrases("投诉电话0398-5831315")
    # the number is one word, set apart from 电话 by a word break
    assert area.syllables[-7:] == ("dian4", "hua4", "#1", "ling2", "san1", "jiu3", "ba1")
    assert area.pause_ms == PAUSES_MS["，"]
    assert number.syllables == ("wu3", "ba1", "san1", "yao1", "san1", "yao1", "wu3")


def test_dates_and_ordinals_keep_yi() -> None:
    [said] = phrases("2021年1月1日")
    assert [s for s in said.syllables if not s.startswith("#")] == [
        "er4", "ling2", "er4", "yi1", "nian2", "yi1", "yue4", "yi1", "ri4",
    ]  # fmt: skip
    assert said.syllables[:5] == ("er4", "ling2", "er4", "yi1", "nian2")  # the year unbroken


def test_words_are_set_apart_by_the_corpus_word_break() -> None:
    [said] = phrases("没有收到您的按键")
    assert said.syllables == (
        "mei2", "you3", "#1", "shou1", "dao4", "#1", "nin2", "de5", "#1", "an4", "jian4",
    )  # fmt: skip


def test_qing_an_stays_one_word_whatever_the_segmenter_says() -> None:
    for text in ("是请按1", "说完请按井号键", "请按1"):
        [said] = phrases(text)
        i = said.syllables.index("qing3")
        assert said.syllables[i : i + 3] == ("qing3", "an4", WORD_BREAK), text


def test_a_keypad_phrase_break_is_not_doubled_by_a_word_break() -> None:
    [said] = phrases("很不满意请按5")
    assert "#1 #2" not in " ".join(said.syllables)
    assert "#2 #1" not in " ".join(said.syllables)
    assert said.syllables[-5:] == ("#2", "qing3", "an4", "#1", "wu3")


def test_the_last_clause_of_a_keypad_guide_keeps_its_own_pause() -> None:
    # nothing follows the last choice: no pause is added after the prompt's end
    [said] = phrases("请按1")
    assert said.pause_ms == 0
    assert said.syllables == ("qing3", "an4", "#1", "yi1")  # no break before the start


def test_cache_tag_changes_with_the_speed() -> None:
    slow = NeuralEngine(NeuralSettings(speed=1.2)).cache_tag
    assert slow != NeuralEngine().cache_tag
    assert slow.startswith("neural/")


def test_without_the_voice_installed_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    engine = NeuralEngine(NeuralSettings(voice_dir=tmp_path / "voice"))
    assert not is_installed(tmp_path / "voice")
    with pytest.raises(PromptError, match="make voice"):
        engine.synthesize("您好", tmp_path / "out.wav")


def test_nothing_to_say_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="nothing to say"):
        NeuralEngine().synthesize("！？", tmp_path / "out.wav")
