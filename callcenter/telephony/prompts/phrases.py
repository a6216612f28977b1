"""Recorded phrases inside synthesised prompts: unit and matter names a person recorded.

A per-call prompt ("您于…在{unit}办理{matter}事项") is different for every case, so it is
synthesised; but the few unit and matter names in it can be recorded once. The approved
ones are listed in an index beside the approved recordings (written by
``callcenter.prompts``); a synthesised text that contains one of them is spoken in
pieces, the engine's and the person's, joined into one file.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path

from callcenter.kernel.errors import PromptError

# Under recorded_dir: the texts of the approved phrase recordings.
PHRASES_FILE = "phrases.json"

Piece = tuple[str, bool]  # text, and whether it is a recorded phrase


class PhraseIndex:
    """The approved phrases, read again whenever the index file changes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._texts: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def texts(self) -> tuple[str, ...]:
        """The phrases, longest first (so a longer name wins over a name inside it)."""
        if self.path is None:
            return ()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._stamp, self._texts = None, ()
            return ()
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._texts = _read(self.path)
                    self._stamp = stamp
        return self._texts


def _read(path: Path) -> tuple[str, ...]:
    try:
        texts = json.loads(path.read_text(encoding="utf-8"))["texts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PromptError(f"the index of recorded phrases {path} is unreadable: {exc}") from None
    return tuple(sorted({str(t) for t in texts if str(t).strip()}, key=len, reverse=True))


def write_index(path: Path, texts: Iterable[str]) -> None:
    """Replace the index atomically: a render reading it meanwhile sees old or new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"texts": sorted(set(texts))}, ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def split(text: str, phrases: Sequence[str]) -> list[Piece] | None:
    """``text`` cut around the phrases it contains (leftmost first, then longest);
    None when it contains none. Pieces with nothing to say (a lone comma) are dropped."""
    if not any(p in text for p in phrases):
        return None
    pieces: list[Piece] = []
    start = spoken_from = 0
    while start < len(text):
        found = next((p for p in phrases if text.startswith(p, start)), None)
        if found is None:
            start += 1
            continue
        pieces.append((text[spoken_from:start], False))
        pieces.append((found, True))
        start = spoken_from = start + len(found)
    pieces.append((text[spoken_from:], False))
    return [(t, phrase) for t, phrase in pieces if phrase or _speakable(t)]


def _speakable(text: str) -> bool:
    return any(c.isalnum() for c in text)


def join_wavs(parts: Sequence[Path], out: Path) -> None:
    """One WAV of ``parts`` in order; all must be telephone WAVs (8 kHz mono 16-bit)."""
    params = None
    with wave.open(str(out), "wb") as dst:
        for part in parts:
            with wave.open(str(part), "rb") as src:
                shape = (src.getnchannels(), src.getsampwidth(), src.getframerate())
                if params is None:
                    params = shape
                    dst.setnchannels(shape[0])
                    dst.setsampwidth(shape[1])
                    dst.setframerate(shape[2])
                elif shape != params:
                    raise PromptError(
                        f"{part} is {shape}, not {params} like the rest of the prompt"
                    )
                dst.writeframes(src.readframes(src.getnframes()))
