"""The 台账's words for the bureaus' answers: days typed on the keypad, choices with the
unit or reason recorded after them, three grades."""

from __future__ import annotations

from pathlib import Path

from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.ledger.taizhang import phone_record, remark

WAV = Path("calls/a1/q.wav")


def rec(qid: str, label: str, recorded: bool = True) -> Answer:
    return Answer(qid, label, "recording", recording=WAV if recorded else None)


XINYANG = [
    Answer("consent", "接听意愿", "yesno", keys="1", value="方便"),
    Answer("q1_attitude", "服务态度", "scale", keys="2", value="比较满意", score=2),
    Answer("q2_one_time_notice", "一次性告知", "yesno", keys="2", value="否"),
    Answer("q3_days", "几天办结", "digits", keys="12", value="12天"),
    Answer("q4_multiple_trips", "多头跑", "yesno", keys="1", value="是"),
    Answer("q5_integrity", "吃拿卡要", "yesno", keys="2", value="否"),
    Answer("q6_overall", "总体评价", "choice", keys="2", value="不满意"),
    rec("q7_suggestions", "改进意见及建议"),
    rec("q8_difficulties", "企业发展存在的困难问题", recorded=False),
]


def test_xinyang_form_in_words() -> None:
    assert phone_record(Outcome.COMPLETE, XINYANG, {"q7_suggestions": "希望缩短审批时间"}) == (
        "服务态度：比较满意；一次性告知：否；几天办结：12天；多头跑：是；吃拿卡要：否；"
        "总体评价：不满意；改进意见及建议：希望缩短审批时间；企业发展存在的困难问题：无"
    )
    # 多头跑 asks whether something went wrong: 是 is the answer to follow up
    assert (
        remark(Outcome.COMPLETE, XINYANG) == "需跟进：一次性告知(否)、多头跑(是)、总体评价(不满意)"
    )


def test_days_without_a_unit_show_the_digits() -> None:
    answers = [Answer("days", "几天办结", "digits", keys="5", value="5")]
    assert phone_record(Outcome.COMPLETE, answers) == "几天办结：5"
    assert remark(Outcome.COMPLETE, answers) == ""


XUCHANG = [
    Answer("q1_approval", "办理审批许可遇到的情况", "choice", keys="2", value="应当办理而不办理"),
    rec("q1_unit", "办理审批许可遇到的情况涉及单位部门"),
    Answer("q2_enforcement", "行政执法活动存在的情况", "choice", keys="5", value="不存在以上情况"),
    Answer("q3_consultation", "重大行政决策沟通协商", "choice", keys="2", value="没有"),
    rec("q3_unit", "重大行政决策沟通协商涉及单位部门"),
    Answer("q4_decision", "重大行政决策存在的问题", "choice", keys="4", value="不存在以上情况"),
    rec("q5_enforcement_problem", "最不满意的行政执法突出问题"),
    rec("q6_rule_of_law", "法治政府建设总体程度和建议", recorded=False),
]


def test_xuchang_questionnaire_names_the_unit_after_a_reported_problem() -> None:
    said = {"q1_unit": "城区分局", "q5_enforcement_problem": "检查太多"}
    assert phone_record(Outcome.COMPLETE, XUCHANG, said) == (
        "办理审批许可遇到的情况：应当办理而不办理（涉及单位部门：城区分局）；"
        "行政执法活动存在的情况：不存在以上情况；"
        "重大行政决策沟通协商：没有（涉及单位部门：已录音）；"
        "重大行政决策存在的问题：不存在以上情况；"
        "最不满意的行政执法突出问题：检查太多；法治政府建设总体程度和建议：无"
    )
    assert remark(Outcome.COMPLETE, XUCHANG) == (
        "需跟进：办理审批许可遇到的情况(应当办理而不办理)、重大行政决策沟通协商(没有)"
    )


def test_yantai_three_grades() -> None:
    rating = Answer("q1_rating", "服务评价", "choice", keys="3", value="不满意")
    reason = rec("q1_reason", "服务评价不满意原因")
    assert phone_record(Outcome.COMPLETE, [rating, reason]) == (
        "服务评价：不满意（不满意原因：已录音）"
    )
    assert phone_record(Outcome.COMPLETE, [rating, reason], {"q1_reason": "排队太久"}) == (
        "服务评价：不满意（不满意原因：排队太久）"
    )
    assert remark(Outcome.COMPLETE, [rating, reason]) == "需跟进：服务评价(不满意)"
    fine = Answer("q1_rating", "服务评价", "choice", keys="2", value="基本满意")
    assert phone_record(Outcome.COMPLETE, [fine]) == "服务评价：基本满意"
    assert remark(Outcome.COMPLETE, [fine]) == ""
