"""``callcenter demo``: the whole job on the sandbox, from cases to the 台账 and its XLSX."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from callcenter import bootstrap
from callcenter.calls.call import CallResult
from callcenter.calls.store import Ledger
from callcenter.entrypoints.demo_cases import SampleCase, sample_cases
from callcenter.interview.case import CaseInfo
from callcenter.kernel import loop
from callcenter.kernel.clock import BEIJING
from callcenter.ledger.cli import table
from callcenter.ledger.export import export_xlsx
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import up
from callcenter.transcription.engine import chosen_engine, load_transcriber
from callcenter.transcription.inline import transcribe_now
from callcenter.transcription.store import TranscriptStore


def load_cases(ledger: Ledger, samples: list[SampleCase]) -> list[CaseInfo]:
    infos = []
    for s in samples:
        ledger.upsert_unit(s.unit, s.unit_kind)
        case_id = ledger.add_case(
            s.case_no, s.unit, s.applicant_name, s.phone, s.matter, s.completed_on, title=s.title
        )
        infos.append(ledger.case_info(case_id))
    return infos


async def run_calls(
    settings: Settings,
    ledger: Ledger,
    samples: list[SampleCase],
    infos: list[CaseInfo],
    console: Console,
) -> list[CallResult]:
    async with AriClient(settings.ari) as ari:
        for s in samples:
            await simulator.program(ari, s.phone, s.persona.behaviour)
    counts: Counter[str] = Counter()
    columns = (
        TextColumn("[bold]calls"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=len(infos))

        async def one(ctl, info: CaseInfo) -> CallResult:  # type: ignore[no-untyped-def]
            result = await ctl.call(info)
            counts[result.outcome.label] += 1
            progress.update(
                task, advance=1, description=" ".join(f"{k} {v}" for k, v in counts.items())
            )
            return result

        async with bootstrap.controller(settings, ledger) as ctl:
            return list(await asyncio.gather(*(one(ctl, i) for i in infos)))


def transcribe(
    settings: Settings, ledger: Ledger, results: list[CallResult], console: Console
) -> None:
    """Transcribe every recorded answer of these calls, so the 台账 shows what was said."""
    answers = [
        (r.attempt_id, a.question_id) for r in results for a in r.answers if a.recording is not None
    ]
    if not answers:
        return
    t = settings.transcription
    console.print(f"transcribing {len(answers)} recorded answers with {chosen_engine(t)} …")
    states = transcribe_now(
        TranscriptStore(ledger.sessions),
        lambda: load_transcriber(t),
        settings.storage_root,
        answers,
    )
    for state in states:
        if state.error:
            console.print(f"[yellow]{state.attempt_id}/{state.question_id}: {state.error}")


def demo(
    ctx: typer.Context,
    calls: Annotated[int, typer.Option(help="how many simulated applicants to call")] = 8,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="XLSX to write")] = None,
) -> None:
    """Start the sandbox, call N simulated applicants at once, transcribe what they said,
    print the 台账, write the XLSX."""
    settings = ctx.obj.settings
    # The answers are transcribed here once the calls end, so the demo needs neither
    # Redis nor a transcription worker.
    queued = settings.transcription.model_copy(update={"enabled": False})
    settings = settings.model_copy(update={"transcription": queued})
    # a log or a pipe has no width of its own: give the 台账 room to be read
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(up(settings))
    today = ctx.obj.clock.now().astimezone(BEIJING).date()
    last_month = (today.replace(day=1) - date.resolution).replace(day=1)
    samples = sample_cases(calls, last_month)
    with bootstrap.open_ledger(settings) as ledger:
        infos = load_cases(ledger, samples)
        console.print(
            f"calling {len(infos)} applicants about cases completed in {last_month:%Y-%m} …"
        )
        results = loop.run(run_calls(settings, ledger, samples, infos, console))
        transcribe(settings, ledger, results, console)
        ids = {r.attempt_id for r in results}
        reader = LedgerReader(ledger.sessions)
        rows = reader.taizhang(f"{today:%Y-%m}", attempt_ids=ids)
        month_rows = reader.taizhang(f"{today:%Y-%m}")
    console.print(table(rows, f"电话回访登记台账（{today:%Y年%m月}，本次 {len(rows)} 通）"))
    expected = Counter(s.persona.expect for s in samples)
    got = Counter(r.outcome.value for r in results)
    if expected != got:
        console.print(
            f"[yellow]outcomes differ from the personas: expected {dict(expected)}, got {dict(got)}"
        )
    path = output or settings.storage_root / "exports" / f"电话回访登记台账-{today:%Y-%m}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    export_xlsx(month_rows, path)
    console.print(f"wrote {path} ({len(month_rows)} rows for {today:%Y-%m})")
