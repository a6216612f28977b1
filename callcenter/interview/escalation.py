"""When a finished call opens a 整改 ticket: the ``ticket_rules`` section of a script.

济宁 第六条–第九条: an applicant's 不满意 becomes a to-do of the responsible window
(整改落实), and a second 不满意 goes to supervision (督查核实). A rule names questions and
the keys that open a ticket of its kind: ``rectification`` for the unit that handled the
case, ``misconduct`` (是 on 索拿卡要) straight to supervision, since the unit does not
investigate itself. Whether a call matches is decided after the call from its stored
answers (``callcenter.tickets.rules``); the interview itself does not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from callcenter.interview.takeover import LocatedError

TICKET_KINDS = ("rectification", "misconduct")


class TicketRule(BaseModel):
    """Open a ticket of ``kind`` when one of ``questions`` is answered with one of ``keys``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["rectification", "misconduct"]
    label: str = Field(min_length=1)
    questions: list[str] = Field(min_length=1)
    keys: list[str] = Field(min_length=1)

    @field_validator("keys", mode="before")
    @classmethod
    def _keys_as_str(cls, v: Any) -> Any:
        return [str(k) for k in v] if isinstance(v, list) else v

    def matches(self, question_id: str, key: str | None) -> bool:
        return key is not None and question_id in self.questions and key in self.keys


def check_ticket_rules(
    rules: Sequence[TicketRule], questions: Mapping[str, tuple[str, list[str]]]
) -> None:
    """Check the rules against the script's questions ({id: (type, option keys)}).

    Raises ``LocatedError`` pointing at the offending entry of the ``ticket_rules`` list.
    """
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise LocatedError(f"rule id {rule.id!r} is used twice", (i, "id"))
        seen.add(rule.id)
        for j, qid in enumerate(rule.questions):
            if qid not in questions:
                known = ", ".join(sorted(questions))
                raise LocatedError(
                    f"rule {rule.id!r}: {qid!r} is not a question of the script; known: {known}",
                    (i, "questions", j),
                )
            kind, keys = questions[qid]
            unknown = sorted(set(rule.keys) - set(keys))
            if unknown:
                raise LocatedError(
                    f"rule {rule.id!r}: keys {unknown} are not options of {qid!r} ({kind}, "
                    f"keys {keys})",
                    (i, "keys"),
                )
