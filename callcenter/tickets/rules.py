"""Whether a finished call opens a ticket: the script's ``ticket_rules`` applied to the
stored answers (pure: no database).

However many answers match, a call opens one ticket: a misconduct ticket if any matched
answer reports misconduct (supervision then handles the whole case), else a
rectification ticket. Each matched answer brings the recorded answers that explain it
(the follow-up recording of its ``when`` branch), so the ticket can show the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callcenter.interview.answers import Answer
from callcenter.interview.script import Question, Record, Script, walk
from callcenter.tickets.machine import Kind


@dataclass(frozen=True)
class Concern:
    """One answer a rule matched, with the ids of the recorded answers explaining it."""

    question_id: str
    label: str
    value: str
    rule_id: str
    kind: Kind
    reason_ids: tuple[str, ...]

    def words(self) -> str:
        return f"{self.label}：{self.value}"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    concerns: tuple[Concern, ...]

    def summary(self) -> str:
        """不满意内容 in the 台账's words, e.g. ``服务态度：不太满意；索拿卡要：是``."""
        return "；".join(c.words() for c in self.concerns)

    def question_ids(self) -> tuple[str, ...]:
        """The matched questions and their reasons, in order, each once."""
        ids: list[str] = []
        for c in self.concerns:
            for qid in (c.question_id, *c.reason_ids):
                if qid not in ids:
                    ids.append(qid)
        return tuple(ids)


def assess(script: Script, answers: Sequence[Answer]) -> Finding | None:
    """The ticket ``answers`` to ``script`` call for, or None."""
    if not script.ticket_rules:
        return None
    questions = {q.id: q for q in walk(script.steps) if isinstance(q, Question)}
    concerns: list[Concern] = []
    for answer in answers:
        rule = next(
            (r for r in script.ticket_rules if r.matches(answer.question_id, answer.keys)), None
        )
        if rule is None:
            continue
        question = questions.get(answer.question_id)
        reasons: tuple[str, ...] = ()
        if question is not None and answer.keys is not None:
            branch = question.branch(answer.keys)
            if branch is not None:
                reasons = tuple(s.id for s in walk(branch.steps) if isinstance(s, Record))
        concerns.append(
            Concern(
                question_id=answer.question_id,
                label=answer.label,
                value=answer.value or answer.keys or "",
                rule_id=rule.id,
                kind=Kind(rule.kind),
                reason_ids=reasons,
            )
        )
    if not concerns:
        return None
    kind = (
        Kind.MISCONDUCT if any(c.kind is Kind.MISCONDUCT for c in concerns) else Kind.RECTIFICATION
    )
    return Finding(kind, tuple(concerns))
