"""Which form a set of calls is exported in: the form of the calls' profile.

A call's profile is the one whose scripts include the call's script (the installation's
own first, ``profiles.loader.profile_of_script``). Calls of one profile are exported in
its form; calls of several profiles, or of scripts no profile names, in the
installation's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from callcenter.interview.script import Script, load_script
from callcenter.ledger.forms.write import FILE_NAMES, write_form
from callcenter.ledger.record import CallRecord
from callcenter.profiles.loader import load_profiles, profile_of_script
from callcenter.profiles.model import Profile


@dataclass(frozen=True)
class Forms:
    profiles: Mapping[str, Profile]
    home: str  # the installation's profile
    scripts_dir: Path

    @classmethod
    def load(cls, profiles_dir: Path, home: str, scripts_dir: Path) -> Forms:
        return cls(load_profiles(profiles_dir), home, scripts_dir)

    def profile_of(self, record: CallRecord) -> Profile | None:
        return profile_of_script(dict(self.profiles), record.attempt.script_id, self.home)

    def chosen(self, records: Sequence[CallRecord]) -> Profile | None:
        """The profile whose form ``records`` are exported in."""
        found = {p.id if (p := self.profile_of(r)) is not None else "" for r in records}
        if len(found) == 1 and "" not in found:
            return self.profiles[next(iter(found))]
        return self.profiles.get(self.home)

    def form_of(self, records: Sequence[CallRecord]) -> str:
        profile = self.chosen(records)
        return profile.ledger_form if profile is not None else "附件2"

    def file_name(self, form: str) -> str:
        return FILE_NAMES.get(form, form)

    def write(self, records: Sequence[CallRecord], path: Path | str) -> tuple[Path, str]:
        """Write ``records`` in their form; the path and the form's name."""
        profile = self.chosen(records)
        form = profile.ledger_form if profile is not None else "附件2"
        script: Script | None = None
        if form == "问卷统计" and profile is not None:
            script = load_script(self.scripts_dir / f"{profile.script}.yaml")
        return write_form(form, records, path, script), form
