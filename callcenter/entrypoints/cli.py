"""The ``callcenter`` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from callcenter.access import cli as users
from callcenter.agents import cli as agents
from callcenter.calls import cli as calls
from callcenter.campaign import cli as campaign
from callcenter.cases import cli as importing
from callcenter.cluster import cli as cluster
from callcenter.container import Container
from callcenter.entrypoints import demo, serve
from callcenter.interview import cli as script
from callcenter.kernel.errors import CallcenterError
from callcenter.ledger import cli as ledger
from callcenter.profiles import cli as profiles
from callcenter.prompts import cli as prompts
from callcenter.reports import cli as reports
from callcenter.settings import load_settings
from callcenter.telephony.sandbox import asterisk_cli as asterisk
from callcenter.telephony.sandbox import cli as sandbox
from callcenter.tickets import cli as tickets
from callcenter.transcription import cli as transcription

app = typer.Typer(
    help="Government satisfaction follow-up calls (电话回访) over Asterisk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(asterisk.app, name="asterisk")
app.add_typer(script.app, name="script")
app.add_typer(ledger.app, name="ledger")
app.add_typer(serve.app, name="web")
app.add_typer(users.app, name="user")
app.add_typer(agents.app, name="agent")
app.command("demo")(demo.demo)
app.command("call")(calls.call)
app.command("import")(importing.import_file)
app.add_typer(campaign.app, name="campaign")
app.add_typer(transcription.app, name="transcription")
app.add_typer(tickets.app, name="ticket")
app.add_typer(reports.app, name="report")
app.add_typer(prompts.app, name="prompts")
app.add_typer(profiles.app, name="profile")
app.command("status")(cluster.status)


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option(help="TOML settings file (else $CALLCENTER_CONFIG)")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # settings are read when a command needs them, so `--help` works with a bad config
    ctx.obj = Container(lambda: load_settings(config))


def run() -> None:
    try:
        app()
    except CallcenterError as exc:
        typer.secho(f"error [{exc.error_id}]: {exc}", fg="red", err=True)
        raise SystemExit(2) from None
