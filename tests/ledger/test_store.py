"""The 台账 read from the database: which attempts, in which order, in which month."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import CAUSE_BUSY, CAUSE_NORMAL, Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.store import LedgerReader
from callcenter.ledger.taizhang import TaizhangRow
from callcenter.transcription.store import TranscriptStore
from tests.ledger.fixtures import BUREAU

STATION = "义马市市场监督管理局千秋所"
WINDOW = "政务服务中心市场监管窗口"


def call(
    ledger: Ledger,
    attempt_id: str,
    case_id: int,
    started: datetime,
    outcome: Outcome | None,
    answers: list[Answer] = [],  # noqa: B006 - never mutated
    note: str = "",
) -> None:
    ledger.start_attempt(attempt_id, case_id, "yima-v1", started)
    for answer in answers:
        ledger.save_answer(attempt_id, answer)
    if outcome is not None:
        cause = CAUSE_BUSY if outcome is Outcome.BUSY else CAUSE_NORMAL
        ledger.finish_attempt(attempt_id, outcome, cause, started + timedelta(minutes=3), note)


def test_one_row_per_finished_attempt_in_call_order(
    ledger: Ledger, reader: LedgerReader, case_id: int, interview: list[Answer]
) -> None:
    company = ledger.add_case(
        "YM-2026-0002",
        STATION,
        "王五",
        "13700000000",
        "食品经营许可证新办",
        date(2026, 10, 22),
        applicant_org="义马市某某餐饮有限公司",
        is_complaint=True,
    )
    t = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    call(ledger, "busy", company, t, Outcome.BUSY)
    call(ledger, "complete", case_id, t + timedelta(hours=2), Outcome.COMPLETE, interview)
    declined = [replace(interview[0], keys="2", value="不方便")]
    call(
        ledger, "refused", company, t + timedelta(hours=1), Outcome.REFUSED, declined, "不方便接听"
    )
    call(ledger, "partial", case_id, t + timedelta(hours=3), Outcome.PARTIAL, interview[:4])
    call(ledger, "ringing", case_id, t + timedelta(hours=4), None)

    rows = reader.taizhang()

    assert rows == [
        TaizhangRow(
            STATION, "2026-11-03 09:30", "义马市某某餐饮有限公司", "食品经营许可证新办",
            "未接通", "投诉件；占线",
        ),
        TaizhangRow(
            STATION, "2026-11-03 10:30", "义马市某某餐饮有限公司", "食品经营许可证新办",
            "接通，不同意回访", "投诉件；拒绝回访；不方便接听",
        ),
        TaizhangRow(
            STATION, "2026-11-03 11:30", "张三", "个体工商户设立登记",
            "服务环境：非常满意；服务态度：一般（已录音说明原因）；业务能力：比较满意；"
            "一次性告知：是；办事效率：非常满意；索拿卡要：否；意见建议：有（已录音）",
            "需跟进：服务态度(3)",
        ),
        TaizhangRow(
            STATION, "2026-11-03 12:30", "张三", "个体工商户设立登记",
            "服务环境：非常满意；服务态度：一般（已录音说明原因）",
            "中途挂断，已答2题；需跟进：服务态度(3)",
        ),
    ]  # fmt: skip


def test_transcripts_reach_the_phone_record(
    ledger: Ledger, reader: LedgerReader, case_id: int, interview: list[Answer]
) -> None:
    t = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    call(ledger, "a1", case_id, t, None, interview)
    transcripts = TranscriptStore(ledger.sessions)
    transcripts.done("a1", "q7_detail", "希望网上办理更方便", "vosk")
    transcripts.done("a1", "q2_reason", "窗口人员态度冷淡", "vosk")
    ledger.finish_attempt("a1", Outcome.COMPLETE, CAUSE_NORMAL, t + timedelta(minutes=4))

    [row] = reader.taizhang()
    assert "服务态度：一般（原因：窗口人员态度冷淡）" in row.phone_record
    assert row.phone_record.endswith("意见建议：有（希望网上办理更方便）")


def test_month_follows_beijing_time(ledger: Ledger, reader: LedgerReader, case_id: int) -> None:
    # In UTC all three are in October; in Beijing only the first is.
    call(ledger, "a", case_id, datetime(2026, 10, 31, 15, 59, tzinfo=UTC), Outcome.NO_ANSWER)
    call(ledger, "b", case_id, datetime(2026, 10, 31, 16, 0, tzinfo=UTC), Outcome.NO_ANSWER)
    call(ledger, "c", case_id, datetime(2026, 10, 31, 17, 0, tzinfo=UTC), Outcome.NO_ANSWER)

    assert [r.called_at for r in reader.taizhang("2026-10")] == ["2026-10-31 23:59"]
    assert [r.called_at for r in reader.taizhang("2026-11")] == [
        "2026-11-01 00:00",
        "2026-11-01 01:00",
    ]
    assert reader.taizhang("2026-12") == []
    assert len(reader.taizhang()) == 3


def test_each_unit_keeps_its_own_taizhang(
    ledger: Ledger, reader: LedgerReader, case_id: int
) -> None:
    ledger.upsert_unit(WINDOW, kind="window", parent="义马市市场监督管理局")
    at_window = ledger.add_case("W-1", WINDOW, "赵六", "1", "变更登记", date(2026, 10, 5))
    t = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    call(ledger, "s", case_id, t, Outcome.NO_ANSWER)
    call(ledger, "w", at_window, t + timedelta(minutes=1), Outcome.REJECTED)

    assert [(r.unit, r.remark) for r in reader.taizhang(unit=WINDOW)] == [(WINDOW, "拒接")]
    assert [r.unit for r in reader.taizhang(unit=STATION)] == [STATION]
    assert [r.unit for r in reader.taizhang()] == [STATION, WINDOW]
    # a 局's 台账 holds those of its 所 and 窗口
    assert [r.unit for r in reader.taizhang(unit=BUREAU)] == [STATION, WINDOW]


def test_bad_filters(reader: LedgerReader, case_id: int) -> None:
    with pytest.raises(LedgerError, match="month '2026-13' is not YYYY-MM"):
        reader.taizhang("2026-13")
    with pytest.raises(LedgerError, match="unknown unit '南区所'"):
        reader.taizhang(unit="南区所")


def test_selected_attempts_only(ledger: Ledger, reader: LedgerReader, case_id: int) -> None:
    t = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    for n, attempt_id in enumerate(["a", "b", "c"]):
        call(ledger, attempt_id, case_id, t + timedelta(minutes=n), Outcome.NO_ANSWER)

    rows = reader.taizhang("2026-11", attempt_ids={"c", "a"})
    assert [r.called_at for r in rows] == ["2026-11-03 09:30", "2026-11-03 09:32"]
    assert reader.taizhang(attempt_ids=[]) == []
