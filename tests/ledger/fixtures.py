"""A unit, a case and the answers of one complete interview, and the read model, for
the ledger tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.ledger.store import LedgerReader

BUREAU = "义马市市场监督管理局"
STATION = "义马市市场监督管理局千秋所"


@pytest.fixture
def reader(ledger: Ledger) -> LedgerReader:
    return LedgerReader(ledger.sessions)


@pytest.fixture
def storage_root(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
def interview(storage_root: Path) -> list[Answer]:
    """A complete interview as the 附件1 script yields it: the consent step, the seven
    questions, and recorded answers after a low score and after 有意见建议."""
    recordings = storage_root / "recordings" / "call-1"
    return [
        Answer("consent", "接听意愿", "yesno", "1", "方便"),
        Answer("q1_environment", "服务环境", "scale", "1", "非常满意", score=1),
        Answer("q2_attitude", "服务态度", "scale", "3", "一般", score=3),
        Answer(
            "q2_reason", "服务态度不满意情形", "recording", recording=recordings / "q2_reason.wav"
        ),
        Answer("q3_competence", "业务能力", "scale", "2", "比较满意", score=2),
        Answer("q4_one_time_notice", "一次性告知", "yesno", "1", "是"),
        Answer("q5_efficiency", "办事效率", "scale", "1", "非常满意", score=1),
        Answer("q6_integrity", "索拿卡要", "yesno", "2", "否"),
        Answer("q7_suggestion", "意见建议", "yesno", "1", "有"),
        Answer("q7_detail", "意见建议", "recording", recording=recordings / "q7_detail.wav"),
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
