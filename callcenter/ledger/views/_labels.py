"""Chinese words for the values the pages show: outcomes, hang-up causes, answers."""

from __future__ import annotations

from callcenter.calls.records import AnswerView
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import SCALE_OPTIONS
from callcenter.ledger.search import PENDING, ScoreFilter

OUTCOME_CHOICES: list[tuple[str, str]] = [(o.value, o.label) for o in Outcome] + [
    (PENDING, "进行中")
]

SCORE_CHOICES: list[tuple[str, str]] = [
    (ScoreFilter.FOLLOW_UP.value, "含一般及以下评价（3—5分）"),
    (ScoreFilter.S1.value, "含“非常满意”（1分）"),
    (ScoreFilter.S2.value, "含“比较满意”（2分）"),
    (ScoreFilter.S3.value, "含“一般”（3分）"),
    (ScoreFilter.S4.value, "含“不太满意”（4分）"),
    (ScoreFilter.S5.value, "含“很不满意”（5分）"),
]

# Q.850 causes as Asterisk reports them at hang-up.
_CAUSES = {
    16: "正常挂机",
    17: "用户忙",
    18: "无响应",
    19: "无人应答",
    21: "呼叫被拒绝",
    27: "目的地故障",
    34: "无可用线路",
    38: "网络故障",
    41: "临时故障",
    42: "交换设备拥塞",
}


def hangup_cause(cause: int | None) -> str:
    if cause is None:
        return "未知"
    return f"{_CAUSES.get(cause, '其他原因')}（原因码 {cause}）"


def outcome_label(outcome: Outcome | None) -> str:
    return "进行中" if outcome is None else outcome.label


def outcome_class(outcome: Outcome | None) -> str:
    """A CSS class: good, partial or bad news at a glance."""
    if outcome is None:
        return "pending"
    if outcome is Outcome.COMPLETE:
        return "ok"
    return "warn" if outcome.answered else "bad"


def score_label(answer: AnswerView) -> str:
    """A 1-5 answer in the words of the option the applicant chose (非常满意 … 很不满意):
    the option as the script read it out on the call, else the script's scale."""
    if answer.value:
        return answer.value
    if answer.score is not None and 1 <= answer.score <= len(SCALE_OPTIONS):
        return SCALE_OPTIONS[answer.score - 1]
    return str(answer.score or "")
