import pytest

from callcenter.telephony.prompts._pinyin import Clause, to_clauses


def test_clauses_end_at_punctuation_with_pauses_by_mark() -> None:
    assert to_clauses("您好，请按一。") == [
        Clause(("nin2", "hao3"), 250),
        Clause(("qing3", "an4", "yi1"), 450),
    ]


def test_enumeration_comma_pauses_less_than_a_full_stop() -> None:
    clauses = to_clauses("环境、态度。")
    assert [c.pause_ms for c in clauses] == [150, 450]


def test_stacked_punctuation_is_one_pause_the_longest() -> None:
    clauses = to_clauses("真的吗？！好的")
    assert [c.pause_ms for c in clauses] == [450, 0]


def test_neutral_tone_is_five() -> None:
    assert to_clauses("好的")[0].syllables == ("hao3", "de5")


def test_surname_before_a_title_takes_its_surname_reading() -> None:
    assert "shan4" in to_clauses("请问您是单雄信先生吗")[0].syllables
    assert to_clauses("曾女士您好")[0].syllables[0] == "zeng1"
    assert to_clauses("您的单位")[0].syllables[-2] == "dan1"


def test_latin_letters_are_spelled() -> None:
    assert to_clauses("ETC")[0].syllables == ("yi4", "ti4", "xi1")


def test_nothing_speakable_gives_no_clauses() -> None:
    assert to_clauses("，。？") == []
    assert to_clauses("《》") == []


@pytest.mark.parametrize(
    ("text", "syllables"),
    [
        ("请再听一遍", "qing3 zai4 ting1 yi2 bian4"),
        ("只跑一次", "zhi3 pao3 yi2 ci4"),
        ("一般", "yi4 ban1"),
        ("第一时间", "di4 yi1 shi2 jian1"),
        ("请按一", "qing3 an4 yi1"),
        ("十一月一日", "shi2 yi1 yue4 yi1 ri4"),
        ("一二三一五", "yi1 er4 san1 yi1 wu3"),
        ("一万", "yi2 wan4"),
        ("不太满意", "bu2 tai4 man3 yi4"),
        ("不方便", "bu4 fang1 bian4"),
    ],
)
def test_yi_and_bu_take_the_tone_they_are_said_with(text: str, syllables: str) -> None:
    assert " ".join(to_clauses(text)[0].syllables) == syllables


def test_words_are_found_only_when_asked() -> None:
    assert to_clauses("没有收到您的按键")[0].word_starts == ()
    [clause] = to_clauses("没有收到您的按键", words=True)
    # 没有 | 收到 | 您的 | 按键: the syllable each word starts at, the first excepted
    assert clause.word_starts == (2, 4, 6)


def test_a_particle_is_said_with_the_word_before_it() -> None:
    [clause] = to_clauses("打扰您了", words=True)
    assert clause.syllables == ("da2", "rao3", "nin2", "le5")
    assert clause.word_starts == (2,)  # 打扰 | 您了, not 您 | 了


def test_words_keep_their_readings_in_context() -> None:
    # segmenting must not change how a word is read: 一 before a fourth tone is yi2
    [plain] = to_clauses("请再听一遍")
    [worded] = to_clauses("请再听一遍", words=True)
    assert worded.syllables == plain.syllables
    assert worded.syllables[-2:] == ("yi2", "bian4")


def test_latin_letters_are_a_word_of_their_own() -> None:
    [clause] = to_clauses("您的ETC卡", words=True)
    assert clause.syllables == ("nin2", "de5", "yi4", "ti4", "xi1", "ka3")
    assert clause.word_starts == (2, 5)


def test_words_of_each_clause_are_counted_from_its_start() -> None:
    first, second = to_clauses("再见，没有收到您的按键。", words=True)
    assert first.word_starts == ()  # 再见
    assert second.word_starts == (2, 4, 6)
