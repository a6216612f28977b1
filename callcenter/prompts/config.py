"""Settings of recorded prompts: when a recording is flagged as not saying its text,
and how a recording call by phone goes.

Nested under ``prompts`` in :class:`callcenter.settings.Settings`
(``CALLCENTER_PROMPTS__CER_WARNING`` in the environment).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class PromptSettings(BaseModel):
    cer_warning: float = Field(
        default=0.2,
        ge=0,
        description="character error rate of a recording transcribed back against its text "
        "above which the page warns before approval (a clear recording of a person scores "
        "well below it with the Whisper base model on the telephone)",
    )
    max_upload_mb: int = Field(default=20, gt=0, description="largest audio file accepted")
    parts_limit: int = Field(
        default=200, gt=0, description="unit names and matter names listed, most cases first"
    )
    # recording by phone: the web process's own ARI application places the call
    phone_app: str = "callcenter-prompts"
    phone_ring_timeout: int = Field(default=30, ge=5, le=120)
    take_max_seconds: int = Field(default=60, ge=5, le=600, description="longest take")
    take_max_silence: int = Field(
        default=5, ge=2, le=30, description="seconds of silence that end a take (as # does)"
    )
    max_takes: int = Field(default=5, ge=1, le=20, description="takes in one call")
    key_timeout: float = Field(default=8.0, gt=0, description="seconds to wait for 1 or 2")
