"""Turn prompt text into the words a Mandarin speaker would say.

Speech engines read Arabic numerals badly or in the wrong style, so numbers are
rewritten in Chinese characters before synthesis:

- dates: ``2026年11月24日`` and ``2026-11-24`` → 二零二六年十一月二十四日 (years digit by digit);
- clock times: ``9:30`` → 九点三十分, ``8:30-17:30`` → 八点三十分至十七点三十分;
- phone numbers, case numbers and hotlines are read digit by digit with a pause between
  groups, 1 said 幺 as on the telephone (一 and 七 sound alike there):
  ``0398-5831315`` → 零三九八，五八三幺三幺五, ``13812345678`` → 幺三八，幺二三四，五六七八;
  a digit string is read this way when it starts with 0, has five digits or more
  (``12315``) or touches a Latin letter (``A123``), unless a unit follows (``15000元``);
- percentages, decimals and other numbers as amounts: ``95%`` → 百分之九十五, ``3`` → 三.

The result is ordinary Chinese text; normalising it again changes nothing.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
# Digits of a number said digit by digit: 1 is 幺 (yāo).
PHONE_DIGITS = "零幺二三四五六七八九"
_GROUP_UNITS = ("", "万", "亿", "万亿")
# After these a long digit string is an amount, not an identifier.
_UNITS = "元块角分万亿个件次人户家天年月日号位名项条种台辆吨米斤"
# Measure words after which 2 is said 两 (两个工作日, not 二个).
_MEASURES = "个位次件天项名家户条种台辆"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９％－．", "0123456789%-.")

_DATE_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*([日号])")
_DATE_ISO = re.compile(r"(?<![\d.:-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.:-])")
_YEAR = re.compile(r"(\d{4})(?=\s*年)")
_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:：](\d{2})(?![\d:])")
_PHONE_GROUPED = re.compile(r"(?<![\d.])\d+(?:[-\s]\d+)+(?![\d.])")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_RANGE = re.compile(r"(?<=\d)\s*[-~～]\s*(?=\d)")
_TIME_RANGE = re.compile(r"(?<=[点分])\s*[-~～]\s*(?=[零一二三四五六七八九十])")
_INTEGER = re.compile(r"\d+")
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def normalize(text: str) -> str:
    """Return ``text`` with every number written out in Chinese and spacing tidied."""
    text = text.translate(_FULL_WIDTH)
    text = " ".join(text.split())
    text = _DATE_YMD.sub(_spoken_date, text)
    text = _DATE_ISO.sub(_spoken_iso_date, text)
    text = _YEAR.sub(lambda m: digit_by_digit(m[1]), text)
    text = _TIME.sub(_spoken_time, text)
    text = _TIME_RANGE.sub("至", text)
    text = _PHONE_GROUPED.sub(_spoken_grouped_digits, text)
    text = _PERCENT.sub(lambda m: "百分之" + _spoken_number(m[1]), text)
    text = _DECIMAL.sub(lambda m: _spoken_number(m[0]), text)
    text = _RANGE.sub("至", text)
    text = _INTEGER.sub(_spoken_integer, text)
    return _SPACE_BETWEEN_HAN.sub("", text).strip()


def digit_by_digit(digits: str) -> str:
    return "".join(DIGITS[int(d)] for d in digits)


def phone_digits(digits: str) -> str:
    """A phone, case or hotline number as read out: 12315 → 幺二三幺五."""
    return "".join(PHONE_DIGITS[int(d)] for d in digits)


def cardinal(n: int) -> str:
    """Chinese reading of a non-negative integer below 10**16 (10005 → 一万零五)."""
    if n == 0:
        return DIGITS[0]
    if n >= 10**16:
        return digit_by_digit(str(n))
    groups: list[int] = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    words = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        # A skipped place before a non-leading group is voiced once: 一万零五, 一亿零五万.
        if words and (group < 1000 or groups[index + 1] == 0):
            words += DIGITS[0]
        words += _below_ten_thousand(group) + _GROUP_UNITS[index]
    # 十五 and 十万, not 一十五 and 一十万.
    return words[1:] if words.startswith("一十") else words


def _below_ten_thousand(n: int) -> str:
    words = ""
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += DIGITS[0]
            pending_zero = False
        words += DIGITS[digit] + unit
    return words


def _spoken_number(number: str) -> str:
    whole, _, fraction = number.partition(".")
    words = cardinal(int(whole))
    return words + "点" + digit_by_digit(fraction) if fraction else words


def _spoken_date(m: re.Match[str]) -> str:
    return f"{digit_by_digit(m[1])}年{cardinal(int(m[2]))}月{cardinal(int(m[3]))}{m[4]}"


def _spoken_iso_date(m: re.Match[str]) -> str:
    month, day = int(m[2]), int(m[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m[0]
    return f"{digit_by_digit(m[1])}年{cardinal(month)}月{cardinal(day)}日"


def _spoken_time(m: re.Match[str]) -> str:
    hour, minute = int(m[1]), int(m[2])
    if hour > 24 or minute > 59:
        return m[0]
    if minute == 0:
        return f"{cardinal(hour)}点"
    # 九点零五分, as a clock is read.
    minutes = cardinal(minute) if minute >= 10 else DIGITS[0] + DIGITS[minute]
    return f"{cardinal(hour)}点{minutes}分"


def _spoken_grouped_digits(m: re.Match[str]) -> str:
    groups = re.split(r"[-\s]", m[0])
    if sum(len(g) for g in groups) < 7:
        return m[0]  # a range such as 1-3, left for the range rule
    return "，".join(phone_digits(g) for g in groups)


def _spoken_integer(m: re.Match[str]) -> str:
    digits = m[0]
    preceding = m.string[m.start() - 1 : m.start()]
    following = m.string[m.end() : m.end() + 1]
    if _is_identifier(digits, preceding, following):
        return "，".join(phone_digits(g) for g in _phone_groups(digits))
    n = int(digits)
    if n == 2 and following and following in _MEASURES and preceding != "第":
        return "两"
    return cardinal(n)


def _is_identifier(digits: str, preceding: str, following: str) -> bool:
    if following and following in _UNITS:
        return False
    if _is_latin(preceding) or _is_latin(following):
        return True  # a code such as A123
    return (len(digits) > 1 and digits[0] == "0") or len(digits) >= 5


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _phone_groups(digits: str) -> list[str]:
    """Split a phone number the way it is said, so the listener hears its parts."""
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return [digits[:3], digits[3:7], digits[7:]]  # mobile: 138 1234 5678
    if digits[0] == "0" and 10 <= len(digits) <= 12:
        # Beijing, Tianjin, Shanghai, Chongqing and the 02x cities have 3-digit area codes.
        area = 3 if digits[1] in "12" else 4
        return [digits[:area], digits[area:]]
    return [digits]
