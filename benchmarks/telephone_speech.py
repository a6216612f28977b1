"""Real human Mandarin through the whole telephone path: the sandbox's simulated applicant
plays a recorded utterance as its spoken answer (q7_detail), Asterisk records it, and the
transcript that reaches the ledger is scored against the corpus's own text.

The utterances are two AISHELL-1 test sentences (benchmarks/data/aishell1, Apache 2.0;
see SOURCE.md there). Each is also transcribed straight from the 16 kHz original and
from its 8 kHz telephone copy, so the loss of each stage shows apart. "Ready" is the time
from the end of the call to the transcript stored in the ledger with one engine already
loaded, as one transcription worker has it (Celery's hand-over is not counted).

    python benchmarks/telephone_speech.py [--runs 3]

Needs the sandbox (`make sandbox`). Writes benchmarks/results/telephone_speech.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter import bootstrap
from callcenter.calls.call import CallResult
from callcenter.calls.store import Ledger
from callcenter.settings import Settings, load_settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.prompts.audio import to_telephone
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.process import Sandbox
from callcenter.transcription.cer import overall, score
from callcenter.transcription.engine import chosen_engine, load_transcriber
from callcenter.transcription.inline import transcribe_now
from callcenter.transcription.store import TranscriptStore

DATA = Path(__file__).resolve().parent / "data" / "aishell1"
RESULTS = Path(__file__).resolve().parent / "results"
WORK = Path("/var/cache/callcenter/benchmarks/telephone")
# consent, six answers, 有意见建议, then the recorded suggestion and #
ANSWERS = ["b1"] * 6 + ["b2", "b1"]


def utterances() -> dict[str, str]:
    lines = (DATA / "transcripts.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(None, 1) for line in lines if line.strip())


def settings_for_run() -> Settings:
    return load_settings(
        database_url=f"sqlite:///{WORK / 'ledger.db'}",
        storage_root=WORK / "storage",
        ari={"app": f"callcenter-bench-{uuid.uuid4().hex[:8]}"},
        ivr={"key_timeout": 4.0, "recording_max_seconds": 30, "recording_max_silence": 3},
        transcription={"enabled": False},  # transcribed here, timed
    )


async def one_call(settings: Settings, ledger: Ledger, sound: str, n: int) -> CallResult:
    phone = f"139000004{n:02d}"
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        f"BENCH-{uuid.uuid4().hex[:8]}", "城区市场监管所", "王伟", phone,
        "个体工商户设立登记", date(2026, 10, 9), title="先生",
    )  # fmt: skip
    async with AriClient(settings.ari) as ari:
        await simulator.program(ari, phone, simulator.answer(*ANSWERS, f"t{sound}", "k#", "h"))
    async with bootstrap.controller(settings, ledger) as ctl:
        return await ctl.call(ledger.case_info(case_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="calls per utterance")
    parser.add_argument("--out", type=Path, default=RESULTS / "telephone_speech.md")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    settings = settings_for_run()
    said = utterances()
    sounds = {}
    for utt in said:
        sounds[f"aishell-{utt.lower()}"] = phone_copy = WORK / f"{utt}-8k.wav"
        to_telephone(DATA / f"{utt}.wav", phone_copy)
    Sandbox(settings).up(sounds=sounds)
    transcriber = load_transcriber(settings.transcription)
    rows: list[tuple[str, str, str, float]] = []  # utterance, stage, heard, CER
    ready: list[float] = []
    with bootstrap.open_ledger(settings) as ledger:
        store = TranscriptStore(ledger.sessions)
        for n, (utt, text) in enumerate(said.items()):
            for stage, wav in (
                ("16 kHz original", DATA / f"{utt}.wav"),
                ("8 kHz copy", WORK / f"{utt}-8k.wav"),
            ):
                heard = transcriber.transcribe(wav)
                rows.append((utt, stage, heard, score(text, heard).cer))
            for run in range(args.runs):
                result = asyncio.run(
                    one_call(settings, ledger, f"aishell-{utt.lower()}", n * 10 + run)
                )
                ended = time.perf_counter()
                [state] = transcribe_now(
                    store,
                    lambda: transcriber,
                    settings.storage_root,
                    [(result.attempt_id, "q7_detail")],
                )
                ready.append(time.perf_counter() - ended)
                heard = state.text or ""
                rows.append((utt, "telephone path", heard, score(text, heard).cer))
                print(
                    f"{utt} run {run + 1}: {heard} ({rows[-1][3]:.0%}, {ready[-1]:.1f} s)",
                    flush=True,
                )
    engine = chosen_engine(settings.transcription)
    args.out.write_text(_markdown(rows, said, ready, engine, args.runs))
    print(f"written to {args.out}")


def _markdown(
    rows: list[tuple[str, str, str, float]],
    said: dict[str, str],
    ready: list[float],
    engine: str,
    runs: int,
) -> str:
    def cer(stage: str) -> float:
        return overall(score(said[u], h) for u, s, h, _ in rows if s == stage)

    lines = [
        "# Real human Mandarin through the telephone path",
        "",
        f"{len(said)} AISHELL-1 test utterances (benchmarks/data/aishell1), each played {runs} "
        f"times by the simulated applicant as its recorded answer; transcribed by `{engine}`.",
        "",
        "| stage | CER |",
        "| --- | ---: |",
        *(f"| {s} | {cer(s):.1%} |" for s in ("16 kHz original", "8 kHz copy", "telephone path")),
        "",
        f"Transcript in the ledger after the call ended: median {statistics.median(ready):.1f} s, "
        f"longest {max(ready):.1f} s ({len(ready)} calls, one engine loaded).",
        "",
        "| utterance | stage | said | heard | CER |",
        "| --- | --- | --- | --- | ---: |",
    ]
    lines += [f"| {u} | {s} | {said[u]} | {h} | {c:.1%} |" for u, s, h, c in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
