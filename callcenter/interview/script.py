"""Call scripts as data: the YAML in ``ivr_scripts/``, validated on load.

A script is a list of steps. ``say`` speaks; ``scale``, ``yesno`` and ``choice`` take one
key; ``digits`` takes several keys ended by ``#``; ``record`` records a spoken answer.
A question's ``when`` branches add follow-up steps for some keys, or end the call.
Errors name the file, the line and the field.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from callcenter.interview.escalation import TicketRule, check_ticket_rules
from callcenter.interview.takeover import LocatedError, Takeover, check_rules
from callcenter.kernel.errors import ScriptError
from callcenter.kernel.yamlfile import load_mapping, validate

# Fields every case provides to prompt templates (see CaseInfo.prompt_fields).
CASE_FIELDS = frozenset({"name", "title", "date", "unit", "matter"})
VALID_KEYS = frozenset("0123456789*")
# the kinds of step: pydantic names them in an error's location, the YAML does not
STEP_KINDS = frozenset({"say", "scale", "yesno", "choice", "digits", "record"})

SCALE_OPTIONS = ("非常满意", "比较满意", "一般", "不太满意", "很不满意")
YESNO_OPTIONS = ("是", "否")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = str | list[str]


def parts(text: Text) -> list[str]:
    return [text] if isinstance(text, str) else list(text)


class Option(_Model):
    key: str
    text: str

    @field_validator("key", mode="before")
    @classmethod
    def _key_as_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("key")
    @classmethod
    def _one_key(cls, v: str) -> str:
        if len(v) != 1 or v not in VALID_KEYS:
            raise ValueError(f"key {v!r} is not a single keypad key 0-9 or *")
        return v


class Branch(_Model):
    """Steps taken after some answers: the ``keys`` named, or every key ``other_than``
    those named (许昌's "如有此类情况" follows any answer but 不存在以上情况)."""

    keys: list[str] = []
    other_than: list[str] = []
    steps: list[Step] = []
    end: Literal["refused", "complete"] | None = None

    @field_validator("keys", "other_than", mode="before")
    @classmethod
    def _keys_as_str(cls, v: Any) -> Any:
        return [str(k) for k in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _one_way(self) -> Branch:
        if bool(self.keys) == bool(self.other_than):
            raise ValueError("a when branch names either keys or other_than (one, not both)")
        return self

    def named(self) -> list[str]:
        return self.keys or self.other_than

    def covers(self, key: str) -> bool:
        return key in self.keys if self.keys else key not in self.other_than


class _Step(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Text

    @field_validator("text")
    @classmethod
    def _not_empty(cls, v: Text) -> Text:
        if not parts(v) or any(not p.strip() for p in parts(v)):
            raise ValueError("prompt text must not be empty")
        return v


class Say(_Step):
    type: Literal["say"]
    # reaching a closing counts the interview as complete even if the caller hangs up in it
    closing: bool = False


class Question(_Step):
    type: Literal["scale", "yesno", "choice"]
    label: str
    instruction: str | None = None
    options: list[Option] = []
    when: list[Branch] = []

    @model_validator(mode="after")
    def _options(self) -> Question:
        if not self.options:
            defaults = {"scale": SCALE_OPTIONS, "yesno": YESNO_OPTIONS}.get(self.type)
            if defaults is None:
                raise ValueError("a choice question needs options")
            object.__setattr__(
                self, "options", [Option(key=str(i), text=t) for i, t in enumerate(defaults, 1)]
            )
        if self.type == "scale" and len(self.options) != 5:
            raise ValueError("a scale question has exactly 5 options (1-5)")
        if self.type == "yesno" and len(self.options) != 2:
            raise ValueError("a yesno question has exactly 2 options")
        if len(self.options) < 2:
            raise LocatedError("a choice question has at least 2 options", ("options",))
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError(f"option keys repeat: {keys}")
        taken: dict[str, int] = {}
        for i, branch in enumerate(self.when):
            field = "keys" if branch.keys else "other_than"
            unknown = set(branch.named()) - set(keys)
            if unknown:
                raise LocatedError(
                    f"when.{field} {sorted(unknown)} are not option keys {keys}",
                    ("when", i, field),
                )
            for key in (k for k in keys if branch.covers(k)):
                if key in taken:
                    raise LocatedError(
                        f"key {key!r} is in when branch {taken[key]} and in branch {i}; "
                        "give each key one branch",
                        ("when", i, field),
                    )
                taken[key] = i
            if not any(branch.covers(k) for k in keys):
                raise LocatedError(
                    f"when.other_than names every option {keys}: the branch is never taken",
                    ("when", i, field),
                )
        return self

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def branch(self, key: str) -> Branch | None:
        return next((b for b in self.when if b.covers(key)), None)

    def keypad_guide(self) -> str:
        if self.instruction is not None:
            return self.instruction
        return "，".join(f"{o.text}请按{o.key}" for o in self.options) + "。"


class Digits(_Step):
    """A number typed on the keypad and ended by ``#`` (信阳's 几天办结)."""

    type: Literal["digits"]
    label: str
    instruction: str = "输入完毕请按井号键。"
    min_digits: int = Field(1, ge=1)
    max_digits: int = Field(20, ge=1, le=40)
    # seconds allowed for each key, the first included; the script's key_timeout if unset
    timeout: float | None = Field(None, gt=0, le=60)
    # written after the digits in the answer's words: "3" is answered as "3天"
    unit: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Digits:
        if self.min_digits > self.max_digits:
            raise LocatedError(
                f"min_digits {self.min_digits} is more than max_digits {self.max_digits}",
                ("min_digits",),
            )
        return self


class Record(_Step):
    type: Literal["record"]
    label: str
    instruction: str = "请在提示音后说出，说完请按井号键。"
    max_seconds: int | None = Field(None, ge=3, le=600)


Step = Annotated[Say | Question | Digits | Record, Field(discriminator="type")]
Branch.model_rebuild()


class Messages(_Model):
    invalid: str = "输入有误。"
    no_input: str = "没有收到您的按键。"
    no_input_goodbye: str = "由于没有收到您的按键，本次回访到此结束，感谢您的接听，再见。"
    too_many_invalid: str = "多次输入有误，本次回访到此结束，感谢您的接听，再见。"


class Script(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    source: str = ""
    key_timeout: float | None = Field(None, gt=0, le=60)
    retries: int = Field(1, ge=0, le=3)
    max_invalid: int = Field(3, ge=1, le=10)
    defaults: dict[str, str] = {}
    messages: Messages = Messages()
    # when to put the applicant through to a human agent (see ivr.takeover)
    takeover: Takeover | None = None
    # when a finished call opens a 整改 ticket (see interview.escalation)
    ticket_rules: list[TicketRule] = []
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Script:
        seen: set[str] = set()
        known = CASE_FIELDS | set(self.defaults)
        for step in walk(self.steps):
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
            for text in [*parts(step.text), *_guides(step)]:
                for field in template_fields(text):
                    if field not in known:
                        raise ValueError(
                            f"step {step.id!r}: unknown field {{{field}}} in prompt; "
                            f"known: {', '.join(sorted(known))}"
                        )
        questions = {
            q.id: (q.type, [o.key for o in q.options])
            for q in walk(self.steps)
            if isinstance(q, Question)
        }
        try:
            check_ticket_rules(self.ticket_rules, questions)
        except LocatedError as exc:
            raise LocatedError(str(exc), ("ticket_rules", *exc.loc)) from None
        if self.takeover is not None:
            try:
                check_rules(self.takeover, questions)
            except LocatedError as exc:
                raise LocatedError(str(exc), ("takeover", *exc.loc)) from None
            for name in ("transfer", "callback"):
                unknown = template_fields(getattr(self.takeover, name)) - known
                if unknown:
                    raise LocatedError(
                        f"unknown field {{{sorted(unknown)[0]}}} in prompt; "
                        f"known: {', '.join(sorted(known))}",
                        ("takeover", name),
                    )
        return self

    def questions(self) -> list[Question | Digits | Record]:
        return [s for s in walk(self.steps) if not isinstance(s, Say)]

    def prompts(self) -> Iterator[tuple[str, str]]:
        """(prompt id, template) of everything the script may say, messages included.

        The id names the file of a human recording that replaces the generated prompt
        (e.g. ``q1_environment``, ``consent.2``, ``q1_environment.keys``, ``message.invalid``).
        """
        for step in walk(self.steps):
            texts = parts(step.text)
            for i, text in enumerate(texts, 1):
                yield (step.id if len(texts) == 1 else f"{step.id}.{i}"), text
            for guide in _guides(step):
                yield f"{step.id}.keys", guide
        for name, text in self.messages.model_dump().items():
            yield f"message.{name}", text
        if self.takeover is not None:
            yield from self.takeover.texts()

    def all_texts(self) -> Iterator[str]:
        """Every prompt text of the script, templates unfilled."""
        return (text for _, text in self.prompts())


def _guides(step: Say | Question | Digits | Record) -> list[str]:
    if isinstance(step, Question):
        return [step.keypad_guide()]
    if isinstance(step, Digits | Record):
        return [step.instruction]
    return []


def walk(steps: list[Any]) -> Iterator[Say | Question | Digits | Record]:
    for step in steps:
        yield step
        if isinstance(step, Question):
            for branch in step.when:
                yield from walk(branch.steps)


def template_fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# -- loading -------------------------------------------------------------------


def load_script(path: Path) -> Script:
    """Parse and validate a script file; raise ScriptError naming file, line and field."""
    raw = load_mapping(path, ScriptError, "script", "a script is a mapping with id, title and steps")
    return validate(Script, raw, path, ScriptError, STEP_KINDS, named="step")
