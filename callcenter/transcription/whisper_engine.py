"""faster-whisper (CTranslate2, int8 on the CPU): the engine that transcribes Mandarin well.

Whisper was trained on 16 kHz audio; telephone recordings are resampled to it. Its
Chinese comes out in traditional characters about as often as in simplified, so the
text is converted afterwards. (A simplified-Chinese initial prompt would tilt it the
same way, but on telephone speech it made the base model loop on a phrase more often:
the prompt benchmark's error rate rose.)
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from callcenter.kernel.errors import TranscriptionError
from callcenter.transcription._audio import MODEL_RATE, read_pcm16
from callcenter.transcription._text import normalize_transcript
from callcenter.transcription.whisper_model import ensure_model

log = logging.getLogger(__name__)


class WhisperTranscriber:
    name = "faster-whisper"

    def __init__(
        self,
        model_dir: Path,
        *,
        language: str = "zh",
        beam_size: int = 5,
        cpu_threads: int = 2,
    ) -> None:
        from faster_whisper import WhisperModel

        ensure_model(model_dir)
        started = time.perf_counter()
        try:
            self._model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise TranscriptionError(
                f"faster-whisper could not load the model in {model_dir}: {exc}"
            ) from None
        self.model_dir = model_dir
        self.language = language
        self.beam_size = beam_size
        log.info("Whisper model %s loaded in %.1f s", model_dir, time.perf_counter() - started)

    def transcribe(self, wav: Path) -> str:
        audio = read_pcm16(wav, MODEL_RATE).astype("float32") / 32768.0
        if audio.size == 0:
            return ""
        try:
            segments, _info = self._model.transcribe(
                audio,
                language=self.language,
                beam_size=self.beam_size,
                # each recording is one short answer: earlier text only invites repeats
                condition_on_previous_text=False,
                vad_filter=False,
            )
            text = "".join(segment.text for segment in segments)
        except RuntimeError as exc:
            raise TranscriptionError(f"faster-whisper failed on {wav}: {exc}") from None
        return normalize_transcript(text)
