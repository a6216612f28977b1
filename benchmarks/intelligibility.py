"""Can the prompts be understood on the telephone? Every prompt of every script in
ivr_scripts/, rendered as callers hear it (8 kHz, the prompt cache's TTS), is
transcribed back by the Mandarin engine and compared with what it should say.

The character error rate (CER) is counted on the spoken words: both sides are put in
the spoken form the TTS reads (digits and dates as words, simplified characters, no
punctuation), so a transcript writing 2026年 for 二零二六年 is not counted wrong.
Personalised fields are filled with one sample case.

    python benchmarks/intelligibility.py [--engine faster-whisper] [--scripts DIR]

Writes a markdown table per prompt and overall to benchmarks/results/intelligibility.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.interview.case import CaseInfo
from callcenter.interview.script import load_script
from callcenter.settings import PROJECT_ROOT, load_settings
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import get_engine
from callcenter.transcription.cer import Score, overall, score
from callcenter.transcription.engine import load_transcriber

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path("/var/cache/callcenter/benchmarks/prompts")
SAMPLE = CaseInfo(
    case_id=0,
    applicant_name="王伟",
    phone="13900000000",
    unit="城区市场监管所",
    matter="个体工商户设立登记",
    completed_on=date(2026, 10, 9),
    title="先生",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "vosk"])
    parser.add_argument("--scripts", type=Path, default=PROJECT_ROOT / "ivr_scripts")
    parser.add_argument("--out", type=Path, default=RESULTS / "intelligibility.md")
    args = parser.parse_args()

    settings = load_settings()
    transcriber = load_transcriber(
        settings.transcription.model_copy(update={"engine": args.engine})
    )
    cache = PromptCache(get_engine(settings.tts_engine), CACHE)
    rows: list[tuple[str, str, str, str, Score]] = []
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
            heard = transcriber.transcribe(cache.render(text))
            s = score(normalize(text), normalize(heard))
            rows.append((script.id, prompt_id, text, heard, s))
            print(f"{s.cer:6.1%}  {prompt_id}: {heard}", flush=True)
    total = overall(s for *_, s in rows)
    elapsed = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_markdown(rows, total, transcriber.name, settings.tts_engine, elapsed))
    print(f"overall CER {total:.1%} over {len(rows)} prompts; written to {args.out}")


def _markdown(
    rows: list[tuple[str, str, str, str, Score]],
    total: float,
    engine: str,
    tts: str,
    elapsed: float,
) -> str:
    lines = [
        "# Prompt intelligibility on the telephone",
        "",
        f"Every prompt rendered by `{tts}` at 8 kHz and transcribed back by `{engine}`; "
        "character error rate on the spoken words (digits and dates as read, no punctuation).",
        "",
        f"**Overall CER: {total:.1%}** ({sum(s.errors for *_, s in rows)} errors in "
        f"{sum(s.length for *_, s in rows)} characters, {len(rows)} prompts; {elapsed:.0f} s)",
        "",
        "| script | prompt | CER | what it says | what was heard |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for script_id, prompt_id, text, heard, s in rows:
        lines.append(
            f"| {script_id} | {prompt_id} | {s.cer:.1%} | {_cell(text)} | {_cell(heard)} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    main()
