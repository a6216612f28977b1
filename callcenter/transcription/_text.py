"""What every engine's text goes through: simplified characters, no spaces inside Chinese.

Whisper writes Mandarin in traditional characters as often as not, and Vosk's Chinese
models put a space between words; the 台账 is written in simplified characters without.
"""

from __future__ import annotations

import functools
import re
import threading

import opencc

# A space between two Han characters (or Chinese punctuation) is an artefact of word
# segmentation; between Hangul or Latin words it is real and stays.
_HAN = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
_SPACE_IN_CHINESE = re.compile(rf"(?<={_HAN})\s+(?={_HAN})")
# Whisper often punctuates Chinese with ASCII marks; the 台账 uses full-width ones.
_ASCII_AFTER_HAN = re.compile(rf"(?<={_HAN})([,?!:;])")
_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}

_lock = threading.Lock()


@functools.cache
def _converter() -> opencc.OpenCC:
    # it holds only dictionaries: one per process is enough
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    with _lock:
        return _converter().convert(text)


def normalize_transcript(text: str) -> str:
    text = to_simplified(text.strip())
    text = _ASCII_AFTER_HAN.sub(lambda m: _FULL_WIDTH[m[1]], re.sub(r"\s+", " ", text))
    return _SPACE_IN_CHINESE.sub("", text)
