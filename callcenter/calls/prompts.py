"""A call's personalised prompts: rendered ahead of time, only looked up when dialling.

Rendering (speech synthesis) is slow and CPU-hungry; hundreds of calls starting at once
must not each start synthesisers beside Asterisk. So prompts are rendered when calls are
planned or queued (``render_cases``: every distinct text once, by a few workers at a
time in a process), and placing a call only looks its files up (``media_for``): a call
whose prompts are not all there is held back with ``PromptsNotReady``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from callcenter.interview.case import CaseInfo
from callcenter.interview.script import Script
from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts.cache import PromptCache, media_uri

log = logging.getLogger(__name__)

# one batch of renders at a time in a process, however many tasks ask: with the
# workers of ``render_cases`` that bounds the synthesisers a process runs at once
_RENDERING = threading.Lock()


class PromptsNotReady(PromptError):
    """Some prompts of a call have not been rendered yet; the call is held back."""

    error_id = "prompts-not-ready"

    def __init__(self, case_id: int, missing: list[str]) -> None:
        shown = "; ".join(repr(t[:40]) for t in missing[:3])
        super().__init__(
            f"case {case_id}: {len(missing)} prompts are not rendered yet ({shown}); "
            "they are rendered when the campaign starts or the call is queued"
        )
        self.case_id = case_id
        self.missing = missing


def prompt_items(script: Script, case: CaseInfo) -> dict[str, str]:
    """Every text a call of ``case`` may speak, filled in, with its prompt id (the
    first id wins when two prompts say the same)."""
    fields = {**script.defaults, **case.prompt_fields()}
    items: dict[str, str] = {}
    for prompt_id, template in script.prompts():
        items.setdefault(template.format(**fields), prompt_id)
    return items


def media_for(cache: PromptCache, script: Script, case: CaseInfo) -> dict[str, str]:
    """The media URI of each text the call may speak; PromptsNotReady if any is missing.

    Looks files up only: nothing is synthesised here.
    """
    media: dict[str, str] = {}
    missing: list[str] = []
    for text, prompt_id in prompt_items(script, case).items():
        path = cache.find(text, prompt_id)
        if path is None:
            missing.append(text)
        else:
            media[text] = media_uri(path)
    if missing:
        raise PromptsNotReady(case.case_id, missing)
    return media


def render_cases(
    cache: PromptCache, calls: Iterable[tuple[Script, CaseInfo]], workers: int = 2
) -> int:
    """Render the prompts of these calls, each distinct text once, with at most
    ``workers`` synthesisers in this process; returns how many distinct texts there were.

    Units, matters and the fixed texts are shared by many cases, so a campaign of
    hundreds needs a render per distinct name and date, and a handful for the rest.
    """
    items: dict[str, str | None] = {}
    for script, case in calls:
        for text, prompt_id in prompt_items(script, case).items():
            items.setdefault(text, prompt_id)
    todo = [(t, p) for t, p in items.items() if cache.find(t, p) is None]
    if todo:
        with _RENDERING:
            cache.render_many(todo, workers=workers)
        log.info("rendered %d of %d distinct prompts", len(todo), len(items))
    return len(items)
