"""Settings of calls: dialling, the interview's timings, and the controller's lease.

Nested under ``dial``, ``ivr`` and ``controller`` in :class:`callcenter.settings.Settings`
(``CALLCENTER_DIAL__…``, ``CALLCENTER_IVR__…``, ``CALLCENTER_CONTROLLER__…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field


class DialSettings(BaseModel):
    # Dial string for a phone number; {number} is the applicant's normalised number.
    endpoint: str = "PJSIP/{number}@trunk"
    caller_id: str = "03985831315"
    ring_timeout: int = 30  # seconds to let a number ring before giving up
    max_concurrent: int = 20


class IvrSettings(BaseModel):
    key_timeout: float = 8.0
    recording_max_seconds: int = 60
    recording_max_silence: int = 4
    # a watchdog: no call, agent conversation included, stays up longer than this
    max_call_seconds: float = 3600


class ControllerSettings(BaseModel):
    lease_seconds: float = Field(
        default=30,
        gt=0,
        description="calls left open by a process that stopped renewing its lease are closed after this",
    )


@dataclass(frozen=True)
class CallConfig:
    """What placing a call needs of the settings, resolved once by the composition root."""

    dial: DialSettings
    ivr: IvrSettings
    controller: ControllerSettings
    # where answers and whole-call recordings are kept, and stored paths are relative to
    storage_root: Path
    recordings_dir: Path
    # where Asterisk writes recordings, as this process sees it
    spool_dir: Path
