"""Answers collected during an interview, as the ledger stores them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Answer:
    """One answered question.

    ``label`` is the short name of the question (e.g. 服务环境) and ``value`` the option's
    words (e.g. 非常满意), so the ledger can summarise a call without the script at hand.
    """

    question_id: str
    label: str
    kind: str  # scale | yesno | choice | digits | recording
    keys: str | None = None  # what was pressed, "" for none
    value: str | None = None  # the option's words, the digits, or None for a recording
    recording: Path | None = None
    score: int | None = None  # the option number on 1-5 scales
