"""Vosk (Kaldi) on a model directory from settings: the default, light engine.

The model is read once when the engine is made; each file gets a recogniser of its
own, so one engine could serve several threads, though a worker process runs one.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from callcenter.kernel.errors import TranscriptionError
from callcenter.transcription._audio import MODEL_RATE, read_pcm16
from callcenter.transcription._text import normalize_transcript

log = logging.getLogger(__name__)

# Files a Vosk model directory cannot do without (small models carry HCLr/Gr instead
# of HCLG, so the graph is checked as a folder).
REQUIRED = ("am/final.mdl", "conf/mfcc.conf", "graph")

_CHUNK_SAMPLES = 8000  # half a second per AcceptWaveform call


class VoskTranscriber:
    name = "vosk"

    def __init__(self, model_dir: Path) -> None:
        missing = [p for p in REQUIRED if not (model_dir / p).exists()]
        if missing:
            raise TranscriptionError(
                f"Vosk model directory {model_dir} is missing {', '.join(missing)}: "
                "unpack a Vosk model there (see the README) or set transcription.vosk_model_dir"
            )
        import vosk

        vosk.SetLogLevel(-1)  # Kaldi's chatter goes to stderr, not the log
        started = time.perf_counter()
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise TranscriptionError(
                f"Vosk could not load the model in {model_dir}: {exc}"
            ) from None
        self._vosk = vosk
        self.model_dir = model_dir
        log.info("Vosk model %s loaded in %.1f s", model_dir, time.perf_counter() - started)

    def transcribe(self, wav: Path) -> str:
        samples = read_pcm16(wav, MODEL_RATE)
        recognizer = self._vosk.KaldiRecognizer(self._model, float(MODEL_RATE))
        words: list[str] = []
        for start in range(0, len(samples), _CHUNK_SAMPLES):
            chunk = samples[start : start + _CHUNK_SAMPLES].tobytes()
            if recognizer.AcceptWaveform(chunk):
                words.append(json.loads(recognizer.Result()).get("text", ""))
        words.append(json.loads(recognizer.FinalResult()).get("text", ""))
        return normalize_transcript(" ".join(w for w in words if w))
