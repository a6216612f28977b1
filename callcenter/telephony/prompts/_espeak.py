"""An espeak-ng data directory that adds one voice, for a wider Mandarin tone range.

The stock ``cmn-latn-pinyin`` voice keeps every tone within about four semitones
(75-98 Hz), so the rising, dipping and falling tones that tell words apart are hard to
hear, worse still on a phone line. A voice with a wider pitch range fixes that, but
espeak-ng loads voices only by name from its data directory. So we build a private
data directory of symlinks to the system one, plus our voice file, and point
``espeak-ng --path`` at it.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

VOICE_NAME = "callcenter-cmn"
STOCK_VOICE = "cmn-latn-pinyin"

_VOICE_TEMPLATE = """\
name callcenter Mandarin (pinyin)
language cmn-latn-pinyin
phonemes cmn
dictionary cmn
words 1
pitch {base} {top}
dict_min 100000
"""


def system_data_dir(binary: str, timeout: float) -> Path | None:
    """Where the installed espeak-ng keeps its data, as ``--version`` reports it."""
    try:
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=timeout, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not ask %s for its data directory: %s", binary, exc)
        return None
    found = re.search(r"Data at:\s*(.+)$", done.stdout, re.MULTILINE)
    path = Path(found[1].strip()) if found else None
    if path is None or not (path / "voices").is_dir():
        log.warning("%s reported no usable data directory: %r", binary, done.stdout.strip())
        return None
    return path


def build_data_dir(system: Path, dest: Path, pitch_hz: tuple[int, int]) -> Path:
    """Create ``dest/espeak-ng-data`` mirroring ``system`` plus our voice; return ``dest``."""
    data = dest / "espeak-ng-data"
    data.mkdir(parents=True)
    for entry in system.iterdir():
        if entry.name != "voices":
            (data / entry.name).symlink_to(entry)
    voices = data / "voices"
    voices.mkdir()
    for entry in (system / "voices").iterdir():
        (voices / entry.name).symlink_to(entry)
    base, top = pitch_hz
    (voices / VOICE_NAME).write_text(_VOICE_TEMPLATE.format(base=base, top=top))
    return dest
