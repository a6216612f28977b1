"""Every prompt of every script, and whether its words are fixed or filled in per call.

Fixed prompts are said the same way on every call, so they are worth rendering ahead
(and recording by a person); per-call ones carry the applicant's name, date, unit or
matter and are rendered for each case when its call is queued. The unit and matter
names are few, so each can be recorded too (``parts``): a recorded one is spoken inside
the synthesised per-call prompt.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from callcenter.interview.script import Script
from callcenter.telephony.prompts.cache import text_key

# the script id under which unit and matter names are listed and recorded
PARTS = "parts"
UNIT, MATTER = "unit", "matter"


@dataclass(frozen=True)
class Prompt:
    script_id: str
    prompt_id: str
    template: str
    # the words with the script's defaults filled in; None when a case's fields are needed
    text: str | None

    @property
    def per_call(self) -> bool:
        return self.text is None


def catalogue(scripts: Iterable[Script]) -> Iterator[Prompt]:
    """The prompts of ``scripts`` in script order, each text once per script."""
    for script in scripts:
        seen: set[str] = set()
        for prompt_id, template in script.prompts():
            if template in seen:
                continue
            seen.add(template)
            yield Prompt(script.id, prompt_id, template, _fixed_text(template, script.defaults))


def _fixed_text(template: str, defaults: dict[str, str]) -> str | None:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not fields <= set(defaults):
        return None
    return template.format(**defaults)


def parts(units: Iterable[str], matters: Iterable[str]) -> Iterator[Prompt]:
    """The unit and matter names of the cases as recordable prompts, ids by their words."""
    for kind, names in ((UNIT, units), (MATTER, matters)):
        for name in names:
            if name.strip():
                yield Prompt(PARTS, f"{kind}-{text_key(name)[:12]}", name, name)


def part_kind(prompt: Prompt) -> str | None:
    """``unit`` or ``matter`` for a part, None for a prompt of a script."""
    if prompt.script_id != PARTS:
        return None
    return prompt.prompt_id.split("-", 1)[0]
