"""Speech engines that turn a Mandarin prompt into a WAV file, and the registry naming them.

To add an engine, write a class with ``name``, ``cache_tag`` and ``synthesize`` and add
it to ``ENGINES``; settings pick it by name (``CALLCENTER_TTS_ENGINE``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts import _espeak
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts._pinyin import Clause, to_clauses
from callcenter.telephony.prompts.neural import NeuralEngine, is_installed

log = logging.getLogger(__name__)

# Bump when the pinyin rules in _pinyin change, so cached prompts are spoken anew.
# (Normalisation changes need no bump: the cache key holds the normalised text.)
_RULES_REVISION = 2


class TtsEngine(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def cache_tag(self) -> str:
        """Changes whenever the same text would come out differently (settings, voice)."""
        ...

    def synthesize(self, text: str, out: Path) -> None:
        """Write ``text`` spoken as a WAV file (any rate, any channels) to ``out``."""
        ...


@dataclass(frozen=True)
class EspeakSettings:
    # About 3.2 syllables a second: slower than conversation (4-5), as a synthetic voice
    # needs, without falling apart into separate syllables.
    speed_wpm: int = 150
    # Base and top of the tone range in Hz. The stock voice's (80, 118) spans ~4
    # semitones; this spans ~10, close to a male speaker's, so tones stay distinct.
    pitch_hz: tuple[int, int] = (100, 250)
    # Extra gap between syllables, in 10 ms units; any gap makes words sound spelt out.
    word_gap: int = 0
    # 0-200. At the default 100 the loudest vowels reach full scale and clip; the
    # level is set afterwards anyway.
    amplitude: int = 70
    binary: str = "espeak-ng"
    timeout_s: float = 30.0


class EspeakPinyinEngine:
    """espeak-ng reading tone-numbered pinyin, with pauses at punctuation.

    The ``cmn`` voice misreads many characters, so the text is converted to pinyin with
    pypinyin (which knows phrases, polyphones and tone sandhi) and read by the
    ``cmn-latn-pinyin`` rules with a wider pitch range (see ``_espeak``).
    """

    name = "espeak-pinyin"

    def __init__(self, settings: EspeakSettings | None = None) -> None:
        self.settings = settings or EspeakSettings()
        self._lock = threading.Lock()
        self._voice_args: list[str] | None = None

    @property
    def cache_tag(self) -> str:
        s = self.settings
        pitch = f"{s.pitch_hz[0]}-{s.pitch_hz[1]}"
        return f"{self.name}/{_RULES_REVISION}/s{s.speed_wpm}/p{pitch}/g{s.word_gap}/a{s.amplitude}"

    def synthesize(self, text: str, out: Path) -> None:
        clauses = to_clauses(normalize(text))
        if not clauses:
            raise PromptError(f"prompt {text!r} has nothing to say")
        s = self.settings
        command = [
            s.binary,
            *self._voice(),
            "-m",  # SSML, for exact pauses
            "-z",  # no pause after the last clause
            "-s",
            str(s.speed_wpm),
            "-g",
            str(s.word_gap),
            "-a",
            str(s.amplitude),
            "-w",
            str(out),
            _ssml(clauses),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=s.timeout_s, check=True)
        except FileNotFoundError:
            raise PromptError(f"{s.binary} is not installed (Debian package espeak-ng)") from None
        except subprocess.TimeoutExpired:
            raise PromptError(f"{s.binary} took over {s.timeout_s:g} s to speak {text!r}") from None
        except subprocess.CalledProcessError as exc:
            stderr = exc.stderr.decode(errors="replace").strip()
            raise PromptError(
                f"{s.binary} failed with exit code {exc.returncode} on {text!r}: {stderr}"
            ) from None

    def _voice(self) -> list[str]:
        with self._lock:
            if self._voice_args is None:
                self._voice_args = self._prepare_voice()
            return self._voice_args

    def _prepare_voice(self) -> list[str]:
        system = _espeak.system_data_dir(self.settings.binary, self.settings.timeout_s)
        if system is None:
            log.warning("speaking with the stock %s voice (narrow tones)", _espeak.STOCK_VOICE)
            return ["-v", _espeak.STOCK_VOICE]
        workdir = Path(tempfile.mkdtemp(prefix="callcenter-espeak-"))
        # A finaliser rather than TemporaryDirectory, which warns when left to the collector.
        weakref.finalize(self, shutil.rmtree, workdir, ignore_errors=True)
        try:
            _espeak.build_data_dir(system, workdir, self.settings.pitch_hz)
        except OSError as exc:
            log.warning(
                "could not build espeak-ng voice in %s (%s); using stock voice", workdir, exc
            )
            return ["-v", _espeak.STOCK_VOICE]
        return [f"--path={workdir}", "-v", _espeak.VOICE_NAME]


def _ssml(clauses: list[Clause]) -> str:
    spoken = []
    for index, clause in enumerate(clauses):
        spoken.append(" ".join(clause.syllables))
        if clause.pause_ms and index < len(clauses) - 1:
            spoken.append(f'<break time="{clause.pause_ms}ms"/>')
    return "<speak>" + " ".join(spoken) + "</speak>"


ENGINES: Mapping[str, Callable[[], TtsEngine]] = {
    EspeakPinyinEngine.name: EspeakPinyinEngine,
    NeuralEngine.name: NeuralEngine,
}


def best_installed() -> str:
    """The clearest engine installed here: for voices that are not the product's own
    (the sandbox's simulated applicants, benchmarks), where the neural voice's corpus
    licence is no obstacle. The product speaks with the engine its settings name."""
    return NeuralEngine.name if is_installed() else EspeakPinyinEngine.name


def get_engine(name: str) -> TtsEngine:
    """A new engine of the given name; ``PromptError`` naming the known ones if unknown."""
    try:
        factory = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise PromptError(f"unknown TTS engine {name!r}; known engines: {known}") from None
    return factory()
