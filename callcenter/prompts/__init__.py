"""Spoken prompts: Mandarin text to telephone-ready WAV files, cached, or human recordings."""

from callcenter.prompts.audio import duration_seconds, to_telephone
from callcenter.prompts.cache import PromptCache, media_uri
from callcenter.prompts.tts import EspeakPinyinEngine, EspeakSettings, TtsEngine, get_engine

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
