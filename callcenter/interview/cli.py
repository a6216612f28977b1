"""``callcenter script check|simulate``: validate a call script, or walk it in a terminal."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from callcenter.interview.answers import Answer
from callcenter.interview.case import CaseInfo
from callcenter.interview.flow import FlowOptions, Interview
from callcenter.interview.port import CallerHungUp, Recording
from callcenter.interview.script import load_script
from callcenter.interview.takeover import HandoverRequest, HandoverResult

app = typer.Typer(help="Call scripts (ivr_scripts/*.yaml).")


@app.command()
def check(files: Annotated[list[Path], typer.Argument(help="script files")]) -> None:
    """Validate scripts; errors name the file, line and field."""
    for file in files:
        s = load_script(file)
        typer.echo(
            f"{file}: ok — {s.title}: {len(s.questions())} questions, {len(set(s.all_texts()))} prompts"
        )


class TerminalLine:
    """A CallPort on the terminal: prompts are printed, keys typed (Enter alone = silence)."""

    def __init__(self, out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
        self.out = out
        self.pending: list[str] = []

    async def play(self, texts: list[str], barge_in: bool = True) -> None:
        for t in texts:
            print(f"  🔊 {t}", file=self.out)

    async def get_key(self, timeout: float) -> str | None:
        if self.pending:
            return self.pending.pop(0)
        line = await asyncio.to_thread(input, "  ⌨  key (Enter = no key, q = hang up) > ")
        line = line.strip()
        if line == "q":
            raise CallerHungUp()
        if not line:
            return None
        self.pending = list(line[1:])
        return line[0]

    async def record(self, step_id: str, max_seconds: int, max_silence: int) -> Recording | None:
        said = await asyncio.to_thread(input, "  🎙  (beep) say something, Enter to finish > ")
        print(f"  [recorded {len(said)} characters for {step_id}]", file=self.out)
        return None

    def clear_keys(self) -> None:
        self.pending.clear()

    async def hand_over(self, request: HandoverRequest) -> HandoverResult:
        note = f"{request.rule_label}: no agents in a simulation, the script goes on"
        print(f"  ☎  ({note})", file=self.out)
        return HandoverResult(connected=False, offered=False)


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="script file")],
    name: str = "张三",
    title: str = "先生",
    unit: str = "城区市场监管所",
    matter: str = "个体工商户设立登记",
    completed: str = "2026-10-15",
) -> None:
    """Dry-run a script in the terminal: you are the applicant and type the keys."""
    script = load_script(file)
    case = CaseInfo(0, name, "", unit, matter, date.fromisoformat(completed), title)

    async def show(answer: Answer) -> None:
        shown = answer.value if answer.value is not None else "(recording)"
        typer.secho(f"  ✔ {answer.label}: {shown}", fg="green")

    result = asyncio.run(
        Interview(script, case.prompt_fields(), TerminalLine(), show, FlowOptions()).run()
    )
    typer.secho(
        f"outcome: {result.outcome.value} ({result.outcome.label}) {result.note}", bold=True
    )
