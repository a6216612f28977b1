"""Recordings of prompts by people: every upload kept as a version, one approved per text.

A recording belongs to the words it says (``text_key``: the hash of the text in spoken
form), not to a prompt id: two scripts saying the same words share it, and a prompt
whose wording changes is spoken by the TTS again until its new words are recorded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.kernel.orm import Base, UTCDateTime, one_of

PENDING = "pending"  # uploaded, waiting for a supervisor
APPROVED = "approved"  # the one played
REPLACED = "replaced"  # approved once, superseded by a later approval
REJECTED = "rejected"
STATUSES = (PENDING, APPROVED, REPLACED, REJECTED)


class PromptRecording(Base):
    __tablename__ = "prompt_recordings"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        UniqueConstraint("text_key", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # where it was uploaded from (the same words may be in other scripts too)
    script_id: Mapped[str] = mapped_column(String(128))
    prompt_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    # the telephone WAV, relative to the storage root; the upload as sent beside it
    path: Mapped[str] = mapped_column(String(512))
    original_name: Mapped[str] = mapped_column(String(256))
    seconds: Mapped[float] = mapped_column(Float)
    # what the recogniser heard, and its character error rate against the text
    heard: Mapped[str] = mapped_column(Text)
    cer: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
