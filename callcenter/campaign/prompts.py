"""Rendering a campaign's prompts ahead of its calls (the ``render_prompts`` task).

A campaign's calls share most of what they say (the questions, the units, the
matters); only names and dates differ. Rendering them when the campaign starts, each
distinct text once and a few at a time, means a dial task only looks files up
(``calls.prompts``) and no call waits for, or competes with, speech synthesis.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping

from callcenter.calls.prompts import render_cases
from callcenter.calls.store import Ledger
from callcenter.campaign.jobs import JobQueue
from callcenter.interview.case import CaseInfo
from callcenter.interview.script import Script
from callcenter.kernel.errors import ScriptError
from callcenter.telephony.prompts.cache import PromptCache

log = logging.getLogger(__name__)


class PromptRenderer:
    def __init__(
        self,
        jobs: JobQueue,
        ledger: Ledger,
        cache: PromptCache,
        scripts: Mapping[str, Script],
        default: Script,
        workers: int = 2,
    ) -> None:
        self.jobs = jobs
        self.ledger = ledger
        self.cache = cache
        self.scripts = scripts
        self.default = default
        self.workers = workers

    def render(self, case_ids: list[int] | None = None, script_id: str | None = None) -> int:
        """Render the prompts of ``case_ids`` (with the script named), or, for None,
        of every job still to be called in the running campaigns; returns how many
        distinct texts they have."""
        wanted: dict[str | None, set[int]] = defaultdict(set)
        if case_ids is None:
            for case_id, script in self.jobs.cases_to_call():
                wanted[script].add(case_id)
        else:
            wanted[script_id].update(case_ids)
        calls: list[tuple[Script, CaseInfo]] = []
        for script_name, ids in wanted.items():
            chosen = self._script(script_name)
            # read together: a campaign's start reads hundreds, beside its first calls
            infos = self.ledger.case_infos(sorted(ids))
            for case_id in sorted(ids):
                if case_id in infos:
                    calls.append((chosen, infos[case_id]))
                else:
                    log.warning("prompts of case %s not rendered: no such case", case_id)
        return render_cases(self.cache, calls, self.workers)

    def _script(self, name: str | None) -> Script:
        if name is None or name == self.default.id:
            return self.default
        try:
            return self.scripts[name]
        except KeyError:
            raise ScriptError(f"no script {name!r} is loaded to render its prompts") from None


class LazyRenderer:
    """A ``PromptRenderer`` made on first use and kept: one database engine and prompt
    cache per worker process, made only in processes that render."""

    def __init__(self, build: Callable[[], PromptRenderer]) -> None:
        self._build = build
        self._renderer: PromptRenderer | None = None
        self._lock = threading.Lock()

    def render(self, case_ids: list[int] | None, script_id: str | None) -> int:
        with self._lock:
            if self._renderer is None:
                self._renderer = self._build()
        return self._renderer.render(case_ids, script_id)
