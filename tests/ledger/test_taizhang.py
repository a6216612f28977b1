"""The words of the 台账, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.taizhang import (
    COLUMNS,
    TaizhangRow,
    format_call_time,
    month_bounds,
    phone_record,
    remark,
)


def test_columns_are_those_of_the_form() -> None:
    assert COLUMNS == ("回访单位", "回访时间", "被回访单位", "回访事项", "电话记录", "备注")
    row = TaizhangRow("所", "2026-11-03 09:30", "张三", "登记", "记录", "")
    assert row.as_tuple() == ("所", "2026-11-03 09:30", "张三", "登记", "记录", "")


COMPLETE_RECORD = (
    "服务环境：非常满意；服务态度：一般（已录音说明原因）；业务能力：比较满意；一次性告知：是；"
    "办事效率：非常满意；索拿卡要：否；意见建议：有（已录音）"
)


def test_complete_interview_in_words(interview: list[Answer]) -> None:
    assert phone_record(Outcome.COMPLETE, interview) == COMPLETE_RECORD
    assert remark(Outcome.COMPLETE, interview) == "需跟进：服务态度(3)"


def test_transcripts_replace_the_recorded_marker(interview: list[Answer]) -> None:
    text = phone_record(
        Outcome.COMPLETE,
        interview,
        {"q2_reason": "窗口人员态度冷淡", "q7_detail": " 希望延长午间办理时间 "},
    )
    assert "服务态度：一般（原因：窗口人员态度冷淡）" in text
    assert text.endswith("意见建议：有（希望延长午间办理时间）")


def test_reason_recorded_on_the_answer_itself(interview: list[Answer]) -> None:
    attitude = replace(interview[2], recording=Path("q2.wav"))
    assert phone_record(Outcome.COMPLETE, [attitude]) == "服务态度：一般（已录音说明原因）"
    assert phone_record(Outcome.COMPLETE, [attitude], {"q2_attitude": "排队太久"}) == (
        "服务态度：一般（原因：排队太久）"
    )


def test_recording_that_follows_an_unrelated_question_stands_alone(
    interview: list[Answer],
) -> None:
    remarks = Answer("extra", "其他情况", "recording", recording=Path("x.wav"))
    silent = Answer("q7_detail", "意见建议", "recording")
    answers = [interview[1], remarks, interview[8], silent]

    assert phone_record(Outcome.COMPLETE, answers) == (
        "服务环境：非常满意；其他情况：已录音；意见建议：有"
    )


def test_adverse_yes_no_answers_need_follow_up(interview: list[Answer]) -> None:
    not_told = replace(interview[5], keys="2", value="否")
    took_bribe = replace(interview[7], keys="1", value="是")
    answers = [interview[1], not_told, took_bribe, interview[8]]

    assert remark(Outcome.COMPLETE, answers) == "需跟进：一次性告知(否)、索拿卡要(是)"


def test_partial_interview(interview: list[Answer]) -> None:
    answers = interview[:4]  # consent, 服务环境, 服务态度 and its reason
    assert phone_record(Outcome.PARTIAL, answers) == (
        "服务环境：非常满意；服务态度：一般（已录音说明原因）"
    )
    assert remark(Outcome.PARTIAL, answers) == "中途挂断，已答2题；需跟进：服务态度(3)"
    # The interview's own note says how it was cut short; it is not repeated.
    assert remark(Outcome.PARTIAL, answers, "无按键应答，已答2题") == (
        "无按键应答，已答2题；需跟进：服务态度(3)"
    )
    assert phone_record(Outcome.PARTIAL, interview[:1]) == "接通，未作答"


def test_refused_and_unanswered_calls(interview: list[Answer]) -> None:
    declined = [replace(interview[0], keys="2", value="不方便")]
    assert phone_record(Outcome.REFUSED, declined) == "接通，不同意回访"
    assert remark(Outcome.REFUSED, declined, "不方便接听") == "拒绝回访；不方便接听"
    for outcome in (Outcome.BUSY, Outcome.NO_ANSWER, Outcome.CONGESTION, Outcome.REJECTED):
        assert phone_record(outcome, []) == "未接通"
        assert remark(outcome, []) == outcome.label
    assert remark(Outcome.BUSY, [], "  第二次拨打 ") == "占线；第二次拨打"
    assert remark(Outcome.FAILED, [], "呼叫失败", complaint=True) == "投诉件；呼叫失败"


def test_unanswered_question_and_digits() -> None:
    answers = [
        Answer("q1_environment", "服务环境", "scale", "", None),
        Answer("callback", "回拨号码", "digits", "0398", "0398"),
    ]
    assert phone_record(Outcome.COMPLETE, answers) == "服务环境：未作答；回拨号码：0398"


def test_call_time_is_written_in_beijing_time() -> None:
    assert format_call_time(datetime(2026, 10, 31, 17, 5, 59, tzinfo=UTC)) == "2026-11-01 01:05"


def test_month_bounds_are_beijing_months() -> None:
    assert month_bounds("2026-11") == (
        datetime(2026, 10, 31, 16, tzinfo=UTC),
        datetime(2026, 11, 30, 16, tzinfo=UTC),
    )
    assert month_bounds("2026-12")[1] == datetime(2026, 12, 31, 16, tzinfo=UTC)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "202611", "2026-11-01", ""])
def test_bad_month(month: str) -> None:
    with pytest.raises(LedgerError, match=f"month '{month}' is not YYYY-MM"):
        month_bounds(month)
