"""Settings of recorded prompts: when a recording is flagged as not saying its text.

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
