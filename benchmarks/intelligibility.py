"""Can the prompts be understood on the telephone? Every prompt of every script in
ivr_scripts/, rendered as callers hear it (8 kHz) by each TTS engine side by side, and
by a person where a recording is present, is transcribed back by the Mandarin engine
and compared with what it should say.

The character error rate (CER) is counted on the spoken words: both sides are put in
the spoken form the TTS reads (digits and dates as words, simplified characters, no
punctuation, 幺 counted as 一), so a transcript writing 2026年 for 二零二六年 is not
counted wrong. Personalised fields are filled with one sample case.

    python benchmarks/intelligibility.py [--tts espeak-pinyin neural] [--engine faster-whisper]

Writes the per-engine totals and a table per prompt to benchmarks/results/intelligibility.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.interview.case import CaseInfo
from callcenter.interview.script import load_script
from callcenter.settings import PROJECT_ROOT, load_settings
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.neural import is_installed
from callcenter.telephony.prompts.tts import get_engine
from callcenter.transcription.cer import Score, overall, score
from callcenter.transcription.engine import load_transcriber

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path("/var/cache/callcenter/benchmarks/prompts")
RECORDED = "recorded"
SAMPLE = CaseInfo(
    case_id=0,
    applicant_name="王伟",
    phone="13900000000",
    unit="城区市场监管所",
    matter="个体工商户设立登记",
    completed_on=date(2026, 10, 9),
    title="先生",
)


@dataclass
class Row:
    script_id: str
    prompt_id: str
    text: str
    heard: dict[str, str] = field(default_factory=dict)
    scores: dict[str, Score] = field(default_factory=dict)


def spoken(text: str) -> str:
    # 幺 is how 1 is read in phone numbers; a transcript writing 一 heard it right
    return normalize(text).replace("幺", "一")


def main() -> None:
    default_tts = ["espeak-pinyin", *(["neural"] if is_installed() else [])]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tts", nargs="+", default=default_tts, help="TTS engines to compare")
    parser.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "vosk"])
    parser.add_argument("--scripts", type=Path, default=PROJECT_ROOT / "ivr_scripts")
    parser.add_argument("--out", type=Path, default=RESULTS / "intelligibility.md")
    args = parser.parse_args()

    settings = load_settings()
    transcriber = load_transcriber(
        settings.transcription.model_copy(update={"engine": args.engine})
    )
    caches = {name: PromptCache(get_engine(name), CACHE) for name in args.tts}
    people = PromptCache(get_engine(args.tts[0]), CACHE, settings.prompts_dir / "recorded")
    rows: list[Row] = []
    started = time.perf_counter()
    for path in sorted(args.scripts.glob("*.yaml")):
        script = load_script(path)
        fields = {**script.defaults, **SAMPLE.prompt_fields()}
        seen: set[str] = set()
        for prompt_id, template in script.prompts():
            text = template.format(**fields)
            if text in seen:  # the same words under another id sound the same
                continue
            seen.add(text)
            row = Row(script.id, prompt_id, text)
            renders = {name: cache.render(text) for name, cache in caches.items()}
            recording = people.render(text, prompt_id)
            if recording.parent.name == RECORDED:
                renders[RECORDED] = recording
            for name, wav in renders.items():
                row.heard[name] = transcriber.transcribe(wav)
                row.scores[name] = score(spoken(text), spoken(row.heard[name]))
            rows.append(row)
            cers = "  ".join(f"{n} {s.cer:6.1%}" for n, s in row.scores.items())
            print(f"{script.id}/{prompt_id}: {cers}", flush=True)
    elapsed = time.perf_counter() - started
    sources = [*args.tts, *([RECORDED] if any(RECORDED in r.scores for r in rows) else [])]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_markdown(rows, sources, transcriber.name, elapsed))
    for name in sources:
        total = overall(r.scores[name] for r in rows if name in r.scores)
        print(f"{name}: overall CER {total:.1%}")
    print(f"{len(rows)} prompts; written to {args.out}")


def _markdown(rows: list[Row], sources: list[str], engine: str, elapsed: float) -> str:
    lines = [
        "# Prompt intelligibility on the telephone",
        "",
        f"Every prompt of every script rendered at 8 kHz by each source and transcribed back "
        f"by `{engine}`; character error rate on the spoken words (digits and dates as read, "
        f"no punctuation). {len(rows)} prompts, {elapsed:.0f} s.",
        "",
        "| source | prompts | characters | errors | CER |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in sources:
        scores = [r.scores[name] for r in rows if name in r.scores]
        errors, length = sum(s.errors for s in scores), sum(s.length for s in scores)
        total = overall(scores)
        lines.append(f"| {name} | {len(scores)} | {length} | {errors} | **{total:.1%}** |")
    by_script: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_script[r.script_id].append(r)
    lines += ["", "| script | " + " | ".join(sources) + " |", "| --- |" + " ---: |" * len(sources)]
    for script_id, script_rows in by_script.items():
        cells = [
            f"{overall(r.scores[n] for r in script_rows if n in r.scores):.1%}" for n in sources
        ]
        lines.append(f"| {script_id} | " + " | ".join(cells) + " |")
    best = sources[-1]
    lines += [
        "",
        f"Per prompt (what was heard: `{best}`):",
        "",
        "| script | prompt | " + " | ".join(sources) + " | what it says | what was heard |",
        "| --- | --- |" + " ---: |" * len(sources) + " --- | --- |",
    ]
    for r in rows:
        cers = " | ".join(f"{r.scores[n].cer:.1%}" if n in r.scores else "" for n in sources)
        heard = r.heard.get(best, "")
        lines.append(
            f"| {r.script_id} | {r.prompt_id} | {cers} | {_cell(r.text)} | {_cell(heard)} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    main()
