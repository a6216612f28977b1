"""Split normalised Chinese text into clauses of tone-numbered pinyin syllables.

Each clause ends where the text has punctuation; the punctuation decides how long the
pause after it is, so a listener hears the same rhythm a person reading aloud would give.
On request each clause also says where its words start (jieba's segmentation), for a
voice that phrases by words.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# Silence after each punctuation mark, in milliseconds.
PAUSES_MS: dict[str, int] = {
    "、": 150,
    "，": 250,
    ",": 250,
    "—": 250,
    "…": 300,
    "：": 300,
    ":": 300,
    "；": 300,
    ";": 300,
    "。": 450,
    ".": 450,
    "？": 450,
    "?": 450,
    "！": 450,
    "!": 450,
}

_PUNCTUATION = re.compile("([" + re.escape("".join(PAUSES_MS)) + "]+)")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇"
_TOKEN = re.compile(f"([{_HAN}]+)|([A-Za-z]+)")
_SYLLABLE = re.compile(r"^[a-z]+[1-5]$")

# Latin letters as Chinese speakers name them, in pinyin the voice can say.
_LETTERS = {
    "a": "ei1", "b": "bi4", "c": "xi1", "d": "di4", "e": "yi4", "f": "ai2 fu5",
    "g": "ji4", "h": "ai1 qi1", "i": "ai4", "j": "jie4", "k": "kai4", "l": "ai2 lou5",
    "m": "ai2 mu5", "n": "en1", "o": "ou1", "p": "pi4", "q": "qiu1", "r": "a4 er5",
    "s": "ai2 si1", "t": "ti4", "u": "you1", "v": "wei1", "w": "da2 bu5 liu5",
    "x": "ai2 ke4 si1", "y": "wai4", "z": "zei4",
}  # fmt: skip

# Surnames whose reading differs from the character's everyday one (单 is Shàn, not dān).
_SURNAMES = {
    "单": "shan4", "曾": "zeng1", "解": "xie4", "仇": "qiu2", "朴": "piao2", "区": "ou1",
    "查": "zha1", "盖": "ge3", "华": "hua4", "任": "ren2", "覃": "qin2", "召": "shao4",
    "缪": "miao4", "翟": "zhai2", "种": "chong2", "秘": "bi4", "纪": "ji3", "葛": "ge3",
    "宁": "ning4", "繁": "po2", "薄": "bo2", "卜": "bu3", "过": "guo1", "员": "yun4",
    "阚": "kan4", "隗": "wei3", "占": "zhan1", "句": "gou1", "折": "she2", "燕": "yan1",
}  # fmt: skip
_TITLES = ("先生", "女士", "同志", "老师")
# Characters after which a name usually starts: 请问您是单先生吗, 找一下曾女士.
_BEFORE_NAME = set("是叫找给和与对向问位请")
_LONGEST_NAME = 3

_NUMERALS = set("零一二三四五六七八九十两")
_NUMBER = _NUMERALS | set("幺百千万亿")
# After 一 these make it an ordinal, said without sandhi: 一月, 一号楼.
_ORDINAL_NOUNS = set("月日号楼层")


# Said with the word before them, as one prosodic word: 您的, 打扰您了, 是王伟先生吗.
_CLITICS = set("的了吗呢吧啊着过地得")


@dataclass(frozen=True)
class Clause:
    syllables: tuple[str, ...]
    pause_ms: int  # silence after the clause
    # Indexes of the syllables that start a word, the first excepted (words=True only).
    word_starts: tuple[int, ...] = ()


def to_clauses(text: str, *, words: bool = False) -> list[Clause]:
    """Pinyin clauses for ``text``; characters that cannot be spoken are dropped.
    With ``words``, each clause says where its words start."""
    clauses: list[Clause] = []
    parts = _PUNCTUATION.split(text)
    for chunk, marks in zip(parts[::2], [*parts[1::2], ""], strict=True):
        syllables, starts = _syllables(chunk, words)
        pause = max((PAUSES_MS[m] for m in marks), default=0)
        if syllables:
            clauses.append(Clause(tuple(syllables), pause, tuple(starts)))
        elif clauses and pause:
            # Stacked punctuation such as "？！" or "，——" is one pause, the longest.
            last = clauses[-1]
            clauses[-1] = Clause(last.syllables, max(last.pause_ms, pause))
    return clauses


def _syllables(chunk: str, words: bool) -> tuple[list[str], list[int]]:
    """The syllables of ``chunk`` and, with ``words``, the indexes of those that start a
    word (a run of Latin letters is one word)."""
    syllables: list[str] = []
    starts: list[int] = []
    for han, latin in _TOKEN.findall(chunk):
        first = len(syllables)
        if han:
            readings = _han_readings(han)
            aligned = words and len(readings) == len(han)
            word_starts = _word_starts(han) if aligned else set()
            for index, reading in enumerate(readings):
                if not _SYLLABLE.match(reading):
                    continue  # a character pypinyin does not know cannot be spoken
                if index in word_starts and len(syllables) > first:
                    starts.append(len(syllables))
                syllables.append(reading)
        else:
            syllables += " ".join(_LETTERS[c] for c in latin.lower()).split()
        if words and first and len(syllables) > first:
            starts.append(first)
    return syllables, sorted(starts)


def _word_starts(han: str) -> set[int]:
    """Where the words of a run of Chinese characters start, by character index; a
    particle such as 的 or 了 joins the word before it."""
    starts: set[int] = set()
    position = 0
    for word in _segmenter()(han):
        # A number is one word however it is cut: 二零二一年, 五八三幺三幺五.
        in_number = position and han[position - 1] in _NUMBER and word[0] in _NUMBER
        if position and word not in _CLITICS and not in_number:
            starts.add(position)
        position += len(word)
    return starts


@functools.cache
def _segmenter() -> Callable[[str], Iterator[str]]:
    # Imported when first needed: only the neural voice asks for words, and the import
    # costs a tenth of a second in every process that speaks.
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)  # not its dictionary-loading chatter
    cut: Callable[[str], Iterator[str]] = jieba.cut
    return cut


def _han_readings(han: str) -> list[str]:
    """One reading per character where pypinyin gives that, unknown characters as
    themselves (the caller drops what is not a syllable)."""
    readings = lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    if len(readings) != len(han):  # pypinyin gives one reading per character
        return [r for r in readings if _SYLLABLE.match(r)]
    _yi_bu_sandhi(han, readings)
    for index in _surname_positions(han):
        readings[index] = _SURNAMES[han[index]]
    return readings


def _yi_bu_sandhi(han: str, readings: list[str]) -> None:
    """Give 一 and 不 the tone they are said with; pypinyin misses many (一遍, 不太, 第一).

    espeak-ng does third-tone sandhi itself but not these, so they must be spelt out.
    """
    for i, char in enumerate(han):
        if char not in "一不" or readings[i].endswith("5"):  # neutral already: 对不起
            continue
        after = readings[i + 1] if i + 1 < len(han) else ""
        next_tone = after[-1] if _SYLLABLE.match(after) else ""
        if char == "不":
            readings[i] = "bu2" if next_tone == "4" else "bu4"
        elif not next_tone or _yi_is_a_numeral(han, i):
            readings[i] = "yi1"
        else:
            readings[i] = "yi2" if next_tone == "4" else "yi4"


def _yi_is_a_numeral(han: str, i: int) -> bool:
    """一 said as the number itself: 第一, 十一, 一二三 (digits), 一月, 一号."""
    before = han[i - 1] if i else ""
    after = han[i + 1] if i + 1 < len(han) else ""
    return before == "第" or before in _NUMERALS or after in _NUMERALS or after in _ORDINAL_NOUNS


def _surname_positions(han: str) -> list[int]:
    """Indexes of surnames in front of a title: the 单 in 请问您是单雄信先生吗."""
    positions = []
    for title in _TITLES:
        for found in re.finditer(title, han):
            for length in range(1, _LONGEST_NAME + 1):
                start = found.start() - length
                if start < 0:
                    break
                if start == 0 or han[start - 1] in _BEFORE_NAME:
                    if han[start] in _SURNAMES:
                        positions.append(start)
                    break
    return positions
