"""Settings of the reports: the Chromium that prints a 通报 to PDF.

Nested under ``reports`` in :class:`callcenter.settings.Settings`
(``CALLCENTER_REPORTS__CHROMIUM`` in the environment).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class ReportSettings(BaseModel):
    chromium: Path = Field(
        default=Path("/usr/bin/chromium"),
        description="headless Chromium, which prints the 通报 page to PDF",
    )
    pdf_timeout_seconds: float = Field(default=60, gt=0)
