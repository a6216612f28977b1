"""Handing a call to a human agent: the script's rules, and what the flow asks the line.

The ``takeover:`` section of a script says when an applicant is put through to a
person: low scores on named questions, a reported misconduct (索拿卡要), or the key that
asks for a person at any question. The flow decides when a rule fires; the line
(``CallPort.hand_over``) rings the agents and says whether one took the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from callcenter.interview.answers import Answer

# The id of the rule that fires when the applicant presses the person key.
PERSON_RULE_ID = "person"


class LocatedError(ValueError):
    """A validation error that knows which field, below the model raising it, is wrong."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TakeoverRule(_Model):
    """Put the applicant through when one of ``questions`` is answered with one of ``keys``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    questions: list[str] = Field(min_length=1)
    keys: list[str] = Field(min_length=1)
    # Reports of misconduct are shown only to the roles allowed to see them.
    misconduct: bool = False

    @field_validator("keys", mode="before")
    @classmethod
    def _keys_as_str(cls, v: Any) -> Any:
        return [str(k) for k in v] if isinstance(v, list) else v

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v == PERSON_RULE_ID:
            raise ValueError(f"rule id {v!r} is reserved for the person key")
        return v


class Takeover(_Model):
    # Played while the agents' phones ring.
    transfer: str = "正在为您转接工作人员，请稍候。"
    # Played when no agent answered; the interview then goes on.
    callback: str = "工作人员暂时无法接听，稍后会有工作人员给您回电。我们继续进行回访。"
    # Pressed at any question, asks for a person; null turns it off.
    person_key: str | None = "0"
    person_label: str = "要求人工服务"
    rules: list[TakeoverRule] = []

    @field_validator("person_key", mode="before")
    @classmethod
    def _key_as_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("person_key")
    @classmethod
    def _one_key(cls, v: str | None) -> str | None:
        if v is not None and (len(v) != 1 or v not in "0123456789*"):
            raise ValueError(f"person_key {v!r} is not a single keypad key 0-9 or *")
        return v

    @field_validator("transfer", "callback", "person_label")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    def rule_for(self, question_id: str, key: str) -> TakeoverRule | None:
        return next((r for r in self.rules if question_id in r.questions and key in r.keys), None)

    def texts(self) -> list[tuple[str, str]]:
        """(prompt id, text) of what a takeover may say."""
        return [("takeover.transfer", self.transfer), ("takeover.callback", self.callback)]


def check_rules(takeover: Takeover, questions: Mapping[str, tuple[str, list[str]]]) -> None:
    """Check the rules against the script's questions ({id: (type, option keys)}).

    Raises ``LocatedError`` pointing at the offending entry of the ``takeover`` section.
    """
    seen: set[str] = set()
    for i, rule in enumerate(takeover.rules):
        if rule.id in seen:
            raise LocatedError(f"rule id {rule.id!r} is used twice", ("rules", i, "id"))
        seen.add(rule.id)
        for j, qid in enumerate(rule.questions):
            if qid not in questions:
                known = ", ".join(sorted(questions))
                raise LocatedError(
                    f"rule {rule.id!r}: {qid!r} is not a question of the script; known: {known}",
                    ("rules", i, "questions", j),
                )
            kind, keys = questions[qid]
            unknown = sorted(set(rule.keys) - set(keys))
            if unknown:
                raise LocatedError(
                    f"rule {rule.id!r}: keys {unknown} are not options of {qid!r} ({kind}, "
                    f"keys {keys})",
                    ("rules", i, "keys"),
                )
    if takeover.person_key is not None:
        for qid, (_, keys) in questions.items():
            if takeover.person_key in keys:
                raise LocatedError(
                    f"person_key {takeover.person_key!r} is also an option of question {qid!r}",
                    ("person_key",),
                )


@dataclass(frozen=True)
class HandoverRequest:
    """What the flow tells the line when a rule fires."""

    rule_id: str
    rule_label: str
    question_id: str
    key: str
    misconduct: bool
    transfer_prompt: str  # to play while the agents' phones ring
    answers: tuple[Answer, ...] = field(default_factory=tuple)  # so far, for the agent


@dataclass(frozen=True)
class HandoverResult:
    """How a handover ended, once it has: an agent talked to the applicant, or none did."""

    connected: bool
    agent: str | None = None
    # A call-back task was recorded because no agent could take the call.
    callback_task: int | None = None
    # False when no agents are set up at all: nothing was tried, nothing is said
    offered: bool = True
