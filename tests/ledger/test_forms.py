"""The export forms of the profiles, checked cell by cell: 信阳's 附表1 (one form per
call and the month's list), 许昌's 问卷统计, 烟台's 好差评清单; calls written through the
ledger's write side and read back through the one read model."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.paths import PROJECT_ROOT
from callcenter.ledger.forms.choose import Forms
from callcenter.ledger.record import CallRecord
from callcenter.ledger.store import LedgerReader
from callcenter.transcription.store import TranscriptStore

SH = ZoneInfo("Asia/Shanghai")
UNIT = "建筑市场监管科"


@pytest.fixture
def forms() -> Forms:
    return Forms.load(PROJECT_ROOT / "profiles", "yima", PROJECT_ROOT / "ivr_scripts")


def place(
    ledger: Ledger,
    tmp_path: Path,
    n: int,
    script: str,
    answers: list[Answer],
    outcome: Outcome = Outcome.COMPLETE,
    transcripts: dict[str, str] | None = None,
    org: str = "",
) -> None:
    """One finished call of case ``n`` with ``answers``; recordings transcribed."""
    ledger.upsert_unit(UNIT, kind="bureau")
    case_id = ledger.add_case(
        f"C{n:03d}", unit=UNIT, applicant_name=f"联系人{n}", phone=f"1391234{n:04d}",
        matter="施工许可证核发", completed_on=date(2026, 11, 3), applicant_org=org,
    )  # fmt: skip
    started = datetime(2026, 12, 1, 9, 30, tzinfo=SH) + timedelta(minutes=10 * n)
    attempt = f"a-{n}"
    ledger.start_attempt(attempt, case_id, script, started)
    if outcome.answered:
        ledger.mark_answered(attempt, started + timedelta(seconds=5))
    for a in answers:
        if a.kind == "recording":
            a = Answer(
                a.question_id,
                a.label,
                a.kind,
                recording=tmp_path / f"{attempt}-{a.question_id}.wav",
            )
        ledger.save_answer(attempt, a, at=started + timedelta(seconds=30))
    store = TranscriptStore(ledger.sessions)
    for question, text in (transcripts or {}).items():
        store.done(attempt, question, text, "test")
    ledger.finish_attempt(attempt, outcome, 16, started + timedelta(minutes=3))


def records(ledger: Ledger) -> list[CallRecord]:
    return LedgerReader(ledger.sessions).calls("2026-12")


XINYANG = "xinyang_enterprise_followup"
SATISFIED = [
    Answer("consent", "接听意愿", "yesno", "1", "方便"),
    Answer("q1_attitude", "服务态度", "scale", "1", "非常满意", score=1),
    Answer("q2_one_time_notice", "一次性告知", "yesno", "1", "是"),
    Answer("q3_days", "几天办结", "digits", "3", "3天"),
    Answer("q4_multiple_trips", "多头跑", "yesno", "2", "否"),
    Answer("q5_integrity", "吃拿卡要", "yesno", "2", "否"),
    Answer("q6_overall", "总体评价", "choice", "1", "满意"),
    Answer("q7_suggestions", "改进意见及建议", "recording"),
    Answer("q8_difficulties", "企业发展存在的困难问题", "recording"),
]


def test_fubiao1_one_form_per_call_and_the_months_list(
    ledger: Ledger, tmp_path: Path, forms: Forms
) -> None:
    place(ledger, tmp_path, 1, XINYANG, SATISFIED, org="信阳建工集团有限公司",
          transcripts={"q7_suggestions": "希望网上办理更方便", "q8_difficulties": "融资难"})  # fmt: skip
    unhappy = [*SATISFIED[:3], Answer("q3_days", "几天办结", "digits", "12", "12天"),
               SATISFIED[4], SATISFIED[5], Answer("q6_overall", "总体评价", "choice", "2", "不满意")]  # fmt: skip
    place(ledger, tmp_path, 2, XINYANG, unhappy, outcome=Outcome.PARTIAL, org="豫南路桥有限公司")
    place(ledger, tmp_path, 3, XINYANG, [], outcome=Outcome.NO_ANSWER, org="某某置业有限公司")
    calls = records(ledger)
    assert forms.form_of(calls) == "附表1"
    path, form = forms.write(calls, tmp_path / "out.xlsx")
    assert form == "附表1"
    wb = openpyxl.load_workbook(path)
    # the list, then one form per call answered (nobody answered the third)
    assert wb.sheetnames == ["月度回访清单", "001 信阳建工集团有限公司", "002 豫南路桥有限公司"]
    listing = wb["月度回访清单"]
    assert [c.value for c in listing[1]] == [
        "序号", "被访人", "电话", "企业名称", "服务态度", "一次性告知", "几天办结", "多头跑",
        "吃拿卡要", "总体评价", "改进意见及建议", "企业发展存在的困难问题", "回访时间",
        "回访人记录人", "备注",
    ]  # fmt: skip
    assert [c.value for c in listing[2]] == [
        1, "联系人1", "139****0001", "信阳建工集团有限公司", "非常满意", "是", "3天", "否",
        "否", "满意", "希望网上办理更方便", "融资难", "2026-12-01 09:40", "电话回访系统", None,
    ]  # fmt: skip
    assert listing["J3"].value == "不满意" and listing["G3"].value == "12天"
    assert listing["K4"].value is None and listing["O4"].value == "无人接听"
    form1 = wb["001 信阳建工集团有限公司"]
    expected = {
        "A1": "电话回访工作记录表",
        "A2": "被访人\n基本信息", "B2": "姓 名", "C2": "联系人1", "D2": "电 话", "E2": "139****0001",
        "B3": "企业名称", "C3": "信阳建工集团有限公司",
        "A4": "电话回访内容",
        "B4": "涉企工作人员服务态度如何", "C4": "非常满意",
        "B5": "办件是否执行了一次性告知制度", "C5": "是",
        "B6": "您所办理的事项在几天办结", "C6": "3天",
        "B7": "是否存在让办事群众“多头跑”办理", "C7": "否",
        "B8": "工作人员是否存在吃、拿、卡、要等不廉洁行为", "C8": "否",
        "A9": "总体评价", "C9": "①满意 ☑    ②不满意 □",
        "A10": "改进意见及建议", "C10": "希望网上办理更方便",
        "A11": "企业发展存在的困难问题", "C11": "融资难",
        "A12": "回访人记录人：电话回访系统",
        "A13": "回访时间：2026-12-01 09:40",
    }  # fmt: skip
    assert {ref: form1[ref].value for ref in expected} == expected
    merged = {str(r) for r in form1.merged_cells.ranges}
    assert {"A1:E1", "A2:A3", "C3:E3", "A4:A8", "C4:E4", "A9:B9", "C9:E9", "A12:E12"} <= merged
    form2 = wb["002 豫南路桥有限公司"]
    assert form2["C9"].value == "①满意 □    ②不满意 ☑"
    # an empty cell is read back as None
    assert form2["C6"].value == "12天" and form2["C10"].value is None


XUCHANG = "xuchang_law_survey"


def test_questionnaire_tally_counts_every_option(
    ledger: Ledger, tmp_path: Path, forms: Forms
) -> None:
    place(ledger, tmp_path, 1, XUCHANG, [
        Answer("consent", "接听意愿", "yesno", "1", "方便"),
        Answer("q1_approval", "办理审批许可遇到的情况", "choice", "1", "不按法定程序办事"),
        Answer("q1_unit", "办理审批许可遇到的情况涉及单位部门", "recording"),
        Answer("q2_enforcement", "行政执法活动存在的情况", "choice", "5", "不存在以上情况"),
        Answer("q3_consultation", "重大行政决策沟通协商", "choice", "1", "有"),
    ], transcripts={"q1_unit": "城区分局登记窗口"})  # fmt: skip
    place(ledger, tmp_path, 2, XUCHANG, [
        Answer("q1_approval", "办理审批许可遇到的情况", "choice", "4", "不存在以上情况"),
        Answer("q2_enforcement", "行政执法活动存在的情况", "choice", "5", "不存在以上情况"),
    ])  # fmt: skip
    path, form = forms.write(records(ledger), tmp_path / "tally.xlsx")
    assert form == "问卷统计"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["依法行政调查问卷统计", "填写内容"]
    rows = [[c.value for c in row] for row in wb["依法行政调查问卷统计"].iter_rows()]
    q1 = "办理审批许可遇到的情况"
    assert rows[:7] == [
        ["题目", "选项", "人数", "占比"],
        [q1, "1. 不按法定程序办事", 1, "50.0%"],
        [q1, "2. 应当办理而不办理", 0, "0.0%"],
        [q1, "3. 应当公开而不公开", 0, "0.0%"],
        [q1, "4. 不存在以上情况", 1, "50.0%"],
        [q1, "合计", 2, "100.0%"],
        ["行政执法活动存在的情况", "1. 越权执法", 0, "0.0%"],
    ]
    assert rows[10:12] == [
        ["行政执法活动存在的情况", "5. 不存在以上情况", 2, "100.0%"],
        ["行政执法活动存在的情况", "合计", 2, "100.0%"],
    ]
    assert rows[12:15] == [
        ["重大行政决策沟通协商", "1. 有", 1, "100.0%"],
        ["重大行政决策沟通协商", "2. 没有", 0, "0.0%"],
        ["重大行政决策沟通协商", "合计", 1, "100.0%"],
    ]
    # a question nobody reached counts no one
    assert rows[-1] == ["重大行政决策存在的问题", "合计", 0, "—"]
    words = [[c.value for c in row] for row in wb["填写内容"].iter_rows()]
    assert words == [
        ["序号", "回访时间", "题目", "内容"],
        [1, "2026-12-01 09:40", "办理审批许可遇到的情况涉及单位部门", "城区分局登记窗口"],
    ]


YANTAI = "yantai_three_grade"


def rating(key: str, value: str) -> list[Answer]:
    return [Answer("consent", "接听意愿", "yesno", "1", "方便"),
            Answer("q1_rating", "服务评价", "choice", key, value)]  # fmt: skip


def test_good_and_bad_review_list(ledger: Ledger, tmp_path: Path, forms: Forms) -> None:
    place(ledger, tmp_path, 1, YANTAI, rating("1", "满意"))
    place(ledger, tmp_path, 2, YANTAI, rating("2", "基本满意"))
    reason = Answer("q1_reason", "服务评价不满意原因", "recording")
    place(ledger, tmp_path, 3, YANTAI, [*rating("3", "不满意"), reason],
          transcripts={"q1_reason": "窗口让我跑了三趟"})  # fmt: skip
    place(ledger, tmp_path, 4, YANTAI, [], outcome=Outcome.BUSY)
    path, form = forms.write(records(ledger), tmp_path / "grades.xlsx")
    assert form == "好差评清单"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["好差评清单", "评价汇总"]
    rows = [[c.value for c in row] for row in wb["好差评清单"].iter_rows()]
    assert rows[0] == ["序号", "服务日期", "服务窗口", "办理事项", "服务对象", "联系电话",
                       "回访时间", "评价", "不满意原因", "整改工单", "备注"]  # fmt: skip
    assert rows[1][:9] == [1, "2026-11-03", UNIT, "施工许可证核发", "联系人1", "139****0001",
                           "2026-12-01 09:40", "满意", None]  # fmt: skip
    assert rows[2][7] == "基本满意"
    assert rows[3][7:9] == ["不满意", "窗口让我跑了三趟"]
    assert rows[4][7] == "未评价" and rows[4][10] == "占线"
    summary = [[c.value for c in row] for row in wb["评价汇总"].iter_rows()]
    assert summary == [
        ["单位", "满意", "基本满意", "不满意", "未评价", "合计", "满意率"],
        [UNIT, 1, 1, 1, 1, 4, "66.7%"],
        ["合计", 1, 1, 1, 1, 4, "66.7%"],
    ]


def test_the_form_is_the_calls_profiles(ledger: Ledger, tmp_path: Path, forms: Forms) -> None:
    place(ledger, tmp_path, 1, YANTAI, rating("1", "满意"))
    assert forms.form_of(records(ledger)) == "好差评清单"
    place(ledger, tmp_path, 2, "yima_phone_followup", [])
    # calls of two profiles: the installation's own form, whose columns every call fills
    assert forms.form_of(records(ledger)) == "附件2"
    path, form = forms.write(records(ledger), tmp_path / "mixed.xlsx")
    assert form == "附件2"
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "电话回访登记台账" and sheet.max_row == 3
