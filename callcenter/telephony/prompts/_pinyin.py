"""Split normalised Chinese text into clauses of tone-numbered pinyin syllables.

Each clause ends where the text has punctuation; the punctuation decides how long the
pause after it is, so a listener hears the same rhythm a person reading aloud would give.
"""

from __future__ import annotations

import re
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
# After 一 these make it an ordinal, said without sandhi: 一月, 一号楼.
_ORDINAL_NOUNS = set("月日号楼层")


@dataclass(frozen=True)
class Clause:
    syllables: tuple[str, ...]
    pause_ms: int  # silence after the clause


def to_clauses(text: str) -> list[Clause]:
    """Pinyin clauses for ``text``; characters that cannot be spoken are dropped."""
    clauses: list[Clause] = []
    parts = _PUNCTUATION.split(text)
    for words, marks in zip(parts[::2], [*parts[1::2], ""], strict=True):
        syllables = _syllables(words)
        pause = max((PAUSES_MS[m] for m in marks), default=0)
        if syllables:
            clauses.append(Clause(tuple(syllables), pause))
        elif clauses and pause:
            # Stacked punctuation such as "？！" or "，——" is one pause, the longest.
            last = clauses[-1]
            clauses[-1] = Clause(last.syllables, max(last.pause_ms, pause))
    return clauses


def _syllables(words: str) -> list[str]:
    syllables: list[str] = []
    for han, latin in _TOKEN.findall(words):
        if han:
            syllables += _han_syllables(han)
        else:
            syllables += " ".join(_LETTERS[c] for c in latin.lower()).split()
    return syllables


def _han_syllables(han: str) -> list[str]:
    readings = lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    if len(readings) != len(han):  # pypinyin gives one reading per character
        return [r for r in readings if _SYLLABLE.match(r)]
    _yi_bu_sandhi(han, readings)
    for index in _surname_positions(han):
        readings[index] = _SURNAMES[han[index]]
    # A character pypinyin does not know comes back as itself and cannot be spoken.
    return [r for r in readings if _SYLLABLE.match(r)]


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
