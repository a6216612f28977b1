"""许昌's 问卷统计 and 烟台's 好差评清单, from the calls of the read model.

问卷统计 (003 依法行政调查问卷): for each multiple-choice question, how many callees chose
each option (every option of the script listed, a 0 included), and, on a second sheet,
what each callee said where the questionnaire asks in words (涉及单位部门, the two 问答项).

好差评清单 (004): every call of the period with its grade (满意 / 基本满意 / 不满意), the
reason given for 不满意 and the 差评 ticket it opened; a second sheet counts the grades
per unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from callcenter.interview.script import Question, Script, walk
from callcenter.kernel.workbook import save
from callcenter.ledger.forms._sheet import said, table
from callcenter.ledger.record import CallRecord
from callcenter.ledger.taizhang import format_call_time
from callcenter.web.masking import mask_phone

TALLY_TITLE = "依法行政调查问卷统计"
TALLY_COLUMNS = ["题目", "选项", "人数", "占比"]
WORDS_TITLE = "填写内容"

GRADES = ("满意", "基本满意", "不满意")
RATING, REASON = "q1_rating", "q1_reason"
GRADE_TITLE = "好差评清单"
GRADE_COLUMNS = [
    "序号", "服务日期", "服务窗口", "办理事项", "服务对象", "联系电话", "回访时间", "评价",
    "不满意原因", "整改工单", "备注",
]  # fmt: skip
SUMMARY_TITLE = "评价汇总"


def _percent(n: int, total: int) -> str:
    return f"{n * 100 / total:.1f}%" if total else "—"


def write_tally(records: Sequence[CallRecord], script: Script, path: Path | str) -> Path:
    """Counts per option per question of ``script``, of the calls that answered it."""
    questions = [q for q in walk(script.steps) if isinstance(q, Question) and q.type == "choice"]
    questions = [q for q in questions if q.id != "consent"]
    chosen: dict[str, Counter[str]] = {q.id: Counter() for q in questions}
    for record in records:
        for a in record.answers:
            if a.question_id in chosen and a.keys:
                chosen[a.question_id][a.keys] += 1
    rows: list[list[str | int]] = []
    for q in questions:
        total = sum(chosen[q.id].values())
        for o in q.options:
            n = chosen[q.id][o.key]
            rows.append([q.label, f"{o.key}. {o.text}", n, _percent(n, total)])
        rows.append([q.label, "合计", total, _percent(total, total)])
    recorded = [s for s in script.questions() if s.type == "record"]
    words: list[list[str | int]] = []
    for n, record in enumerate(records, 1):
        for step in recorded:
            text = said(record, step.id)
            if text:
                words.append([n, format_call_time(record.attempt.started_at), step.label, text])
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = TALLY_TITLE
    table(sheet, TALLY_COLUMNS, rows, [40, 30, 8, 8])
    table(
        workbook.create_sheet(WORDS_TITLE),
        ["序号", "回访时间", "题目", "内容"],
        words,
        [6, 17, 40, 60],
    )
    return save(workbook, path)


def grade(record: CallRecord) -> str:
    value = said(record, RATING)
    return value if value in GRADES else "未评价"


def write_grades(records: Sequence[CallRecord], path: Path | str) -> Path:
    rows: list[list[str | int]] = []
    per_unit: dict[str, Counter[str]] = {}
    for n, r in enumerate(records, 1):
        g = grade(r)
        per_unit.setdefault(r.case.unit, Counter())[g] += 1
        rows.append([
            n, r.case.completed_on.isoformat(), r.case.unit, r.case.matter, r.case.applicant,
            mask_phone(r.case.phone), format_call_time(r.attempt.started_at), g,
            said(r, REASON), r.ticket_remark,
            r.taizhang.remark if r.taizhang is not None else "",
        ])  # fmt: skip
    summary = _summary(per_unit)
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = GRADE_TITLE
    table(sheet, GRADE_COLUMNS, rows, [6, 12, 24, 24, 20, 14, 17, 10, 30, 24, 30])
    columns = ["单位", *GRADES, "未评价", "合计", "满意率"]
    table(workbook.create_sheet(SUMMARY_TITLE), columns, summary, [24, 8, 10, 8, 8, 8, 10])
    return save(workbook, path)


def _summary(per_unit: Mapping[str, Counter[str]]) -> list[list[str | int]]:
    """Grades per unit and in all; 满意率 = (满意 + 基本满意) / graded calls."""
    everyone: Counter[str] = Counter()
    rows: list[list[str | int]] = []
    for unit, counts in sorted(per_unit.items()):
        everyone.update(counts)
        rows.append(_summary_row(unit, counts))
    rows.append(_summary_row("合计", everyone))
    return rows


def _summary_row(unit: str, c: Counter[str]) -> list[str | int]:
    graded = sum(c[g] for g in GRADES)
    return [unit, *(c[g] for g in GRADES), c["未评价"], sum(c.values()),
            _percent(c["满意"] + c["基本满意"], graded)]  # fmt: skip
