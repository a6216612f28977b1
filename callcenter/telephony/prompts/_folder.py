"""A directory's file names, read again only when the directory changes.

A call looks its few dozen prompts up before it dials, and each lookup asks whether a
handful of files exist (an approved recording, a recording in four formats); a stat of
each costs more than the rest of the lookup. Adding, removing or renaming a file changes
its directory's modification time, so one stat of the directory tells whether the names
read before still hold.
"""

from __future__ import annotations

import os
from pathlib import Path


class Folder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[tuple[int, int] | None, frozenset[str]] = (None, frozenset())

    def names(self) -> frozenset[str]:
        """The names in the directory now; empty if it does not exist."""
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return frozenset()
        stamp = (st.st_ino, st.st_mtime_ns)
        seen, names = self._seen
        if stamp != seen:
            names = frozenset(os.listdir(self.path))
            # one assignment: threads rendering at once see the old pair or the new one
            self._seen = (stamp, names)
        return names
