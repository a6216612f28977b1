"""Spoken prompts: Mandarin text to telephone-ready WAV files, cached, or human recordings."""

from callcenter.telephony.prompts.audio import duration_seconds, to_telephone
from callcenter.telephony.prompts.cache import PromptCache, media_uri
from callcenter.telephony.prompts.tts import (
    EspeakPinyinEngine,
    EspeakSettings,
    TtsEngine,
    get_engine,
)

__all__ = [
    "EspeakPinyinEngine",
    "EspeakSettings",
    "PromptCache",
    "TtsEngine",
    "duration_seconds",
    "get_engine",
    "media_uri",
    "to_telephone",
]
