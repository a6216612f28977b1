"""``callcenter call CASE_NO…``: dial cases already in the ledger, now, and report."""

from __future__ import annotations

from typing import Annotated

import typer

from callcenter.kernel import loop


def call(
    ctx: typer.Context,
    case_numbers: Annotated[list[str], typer.Argument(help="办件 numbers of cases in the ledger")],
) -> None:
    """Place a follow-up call to each case (at once, within the concurrency limit)."""
    with ctx.obj.open_ledger() as ledger:
        infos = [ledger.case_info(ledger.find_case(n)) for n in case_numbers]

        async def run() -> list:  # type: ignore[type-arg]
            async with ctx.obj.controller(ledger) as ctl:
                return await ctl.call_all(infos)

        for no, result in zip(case_numbers, loop.run(run()), strict=True):
            typer.echo(
                f"{no}\t{result.attempt_id}\t{result.outcome.value}\t{result.outcome.label}\t{result.note}"
            )
