"""Reading a recording as the mono 16 kHz samples both engines are trained on.

Telephone recordings are 8 kHz; upsampling adds no information, but it puts the audio
on the models' own frame rate and filter banks instead of relying on each library's
resampler.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from callcenter.kernel.errors import TranscriptionError

MODEL_RATE = 16000


def read_pcm16(path: Path, rate: int = MODEL_RATE) -> np.ndarray:
    """Samples of ``path`` as int16, mono, at ``rate`` Hz; TranscriptionError if unreadable."""
    if not path.is_file():
        raise TranscriptionError(f"recording {path} does not exist")
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):  # what the resampler still holds
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise TranscriptionError(f"recording {path} cannot be decoded: {exc}") from None
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate(chunks).astype(np.int16, copy=False)


def seconds(samples: np.ndarray, rate: int = MODEL_RATE) -> float:
    return len(samples) / rate
