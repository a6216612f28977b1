"""A unit, a case and the answers of one complete interview, for the ledger tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callcenter.ivr.answers import Answer
from callcenter.ledger.repository import Ledger

BUREAU = "义马市市场监督管理局"
STATION = "义马市市场监督管理局千秋所"


@pytest.fixture
def storage_root(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
def interview(storage_root: Path) -> list[Answer]:
    """Answers to the seven questions of 附件1, one of them low with a recorded reason."""
    recordings = storage_root / "recordings" / "call-1"
    return [
        Answer("environment", "服务环境", "scale", "1", "非常满意", score=1),
        Answer(
            "attitude",
            "服务态度",
            "scale",
            "3",
            "一般",
            recording=recordings / "attitude.wav",
            score=3,
        ),
        Answer("competence", "业务能力", "scale", "2", "比较满意", score=2),
        Answer("told_once", "一次性告知", "yesno", "1", "是"),
        Answer("efficiency", "办事效率", "scale", "1", "非常满意", score=1),
        Answer("integrity", "廉洁自律", "yesno", "2", "否"),
        Answer("suggestions", "意见建议", "recording", "", None, recording=recordings / "s.wav"),
    ]


@pytest.fixture
def case_id(ledger: Ledger) -> int:
    ledger.upsert_unit(BUREAU, kind="bureau")
    ledger.upsert_unit(STATION, kind="station", parent=BUREAU)
    return ledger.add_case(
        "YM-2026-0001",
        unit=STATION,
        applicant_name="张三",
        phone="13800000000",
        matter="个体工商户设立登记",
        completed_on=date(2026, 10, 20),
        title="先生",
    )
