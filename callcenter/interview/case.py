"""The facts about one served applicant that a follow-up call needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class CaseInfo:
    """One 办件 to follow up: who to call and what the call is about."""

    case_id: int
    applicant_name: str
    phone: str
    unit: str  # 办理单位: the 所 or 窗口 that handled the case
    matter: str  # 回访事项 / 办理事项
    completed_on: date
    title: str = ""  # 先生 / 女士, empty when unknown
    extra: dict[str, str] = field(default_factory=dict)
    case_no: str = ""  # 办件编号, what a staff member's phone shows for the call
    # 办案人: who handled the case; never the one who calls its applicant back (003)
    handler: str = ""

    def prompt_fields(self) -> dict[str, str]:
        """Values the script's prompt templates may use, already in spoken form."""
        d = self.completed_on
        return {
            "name": self.applicant_name,
            "title": self.title,
            "date": f"{d.year}年{d.month}月{d.day}日",
            "unit": self.unit,
            "matter": self.matter,
            **self.extra,
        }
