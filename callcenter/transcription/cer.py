"""Character error rate: how far a transcript is from what was said, for Chinese text.

Punctuation and spaces are left out on both sides (they are not spoken), and both sides
are put in simplified characters, so only the words count.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from callcenter.transcription._text import to_simplified


def spoken_chars(text: str) -> str:
    """The characters of ``text`` that are pronounced: no punctuation, symbols or spaces."""
    return "".join(c for c in to_simplified(text) if unicodedata.category(c)[0] in ("L", "N"))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: substitutions, insertions and deletions of characters."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Score:
    errors: int
    length: int  # characters in the reference

    @property
    def cer(self) -> float:
        return self.errors / self.length if self.length else 0.0


def score(reference: str, hypothesis: str) -> Score:
    ref, hyp = spoken_chars(reference), spoken_chars(hypothesis)
    return Score(edit_distance(ref, hyp), len(ref))


def overall(scores: Iterable[Score]) -> float:
    """Errors over all characters, so long prompts weigh more than short ones."""
    scores = list(scores)
    length = sum(s.length for s in scores)
    return sum(s.errors for s in scores) / length if length else 0.0


def word_recall(reference: str, hypothesis: str) -> float:
    """Share of the reference's words found in the hypothesis, ignoring spaces.

    Recognisers split words differently from the reference (Vosk's Korean model splits
    endings off: 많았 어요), so a word counts when it appears anywhere in the
    hypothesis with its spaces removed.
    """
    words = [w for w in (spoken_chars(w) for w in reference.split()) if w]
    joined = spoken_chars(hypothesis)
    return sum(w in joined for w in words) / len(words) if words else 0.0
