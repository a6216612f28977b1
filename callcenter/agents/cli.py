"""``callcenter agent add|disable|enable|password|list|sync|ready``: the human agents.

An agent is a SIP account any softphone registers with (server: the Asterisk's SIP
address, user: the login, password: shown once by ``add``) and the web user of the
same name who sees the agent screen (``callcenter user add LOGIN --role agent``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from callcenter.agents.admin import Added, AgentAdmin
from callcenter.agents.roster import AgentRoster
from callcenter.kernel.clock import BEIJING
from callcenter.telephony.ari.client import AriClient

app = typer.Typer(help="Human agents: SIP accounts pushed to Asterisk without a restart.")

T = TypeVar("T")

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the SIP password from stdin instead of generating one"
    ),
]


def _with_admin(deps: Any, action: Callable[[AgentAdmin], Awaitable[T]]) -> T:
    settings = deps.settings

    async def run() -> T:
        with deps.open_sessions() as sessions:
            async with AriClient(settings.ari) as ari:
                return await action(AgentAdmin(AgentRoster(sessions), ari, settings.agents))

    return asyncio.run(run())


def _password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _not_pushed(reason: str | None) -> None:
    if reason:
        typer.secho(
            f"stored in the ledger, but Asterisk does not have it yet: {reason}\n"
            "run `callcenter agent sync` once Asterisk answers",
            fg="yellow",
            err=True,
        )


def _credentials(settings: Any, added: Added) -> None:
    typer.echo(f"  SIP user:     {added.agent.login}")
    typer.echo(f"  SIP password: {added.password}   (shown once; not stored)")
    typer.echo(f"  realm:        {added.agent.realm}")
    typer.echo("  server:       the Asterisk's SIP address (UDP 5060 in the sandbox)")


@app.command()
def add(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="SIP user and endpoint name, e.g. agent1001")],
    name: Annotated[str, typer.Option(help="the agent's name, as the screens show it")] = "",
    kind: Annotated[str, typer.Option(help="agent (takes calls) | supervisor (listens in)")] = (
        "agent"
    ),
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an agent and push its SIP account to Asterisk; prints the softphone settings."""
    settings = ctx.obj.settings
    password = _password(password_stdin)
    added = _with_admin(ctx.obj, lambda a: a.add(login, name or login, password, kind))
    typer.echo(f"agent {added.agent.login} ({added.agent.kind}) added")
    _credentials(settings, added)
    _not_pushed(added.not_pushed)


@app.command()
def password(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="agent login")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Give the agent a new SIP password (generated unless read from stdin)."""
    settings = ctx.obj.settings
    new = _password(password_stdin)
    added = _with_admin(ctx.obj, lambda a: a.set_password(login, new))
    typer.echo(f"agent {login}: new SIP password set")
    _credentials(settings, added)
    _not_pushed(added.not_pushed)


@app.command()
def disable(ctx: typer.Context, login: Annotated[str, typer.Argument(help="agent login")]) -> None:
    """Remove the agent's SIP account from Asterisk; the agent stays in the ledger."""
    _, reason = _with_admin(ctx.obj, lambda a: a.disable(login))
    typer.echo(f"agent {login} disabled")
    _not_pushed(reason)


@app.command()
def enable(ctx: typer.Context, login: Annotated[str, typer.Argument(help="agent login")]) -> None:
    """Give a disabled agent its SIP account back (same password as before)."""
    _, reason = _with_admin(ctx.obj, lambda a: a.enable(login))
    typer.echo(f"agent {login} enabled")
    _not_pushed(reason)


@app.command()
def sync(ctx: typer.Context) -> None:
    """Push every agent to Asterisk again (after Asterisk lost its AstDB, for instance)."""
    enabled = _with_admin(ctx.obj, lambda a: a.sync())
    typer.echo(f"{enabled} enabled agents pushed to Asterisk")


@app.command()
def ready(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="agent login")],
    off: Annotated[bool, typer.Option("--off", help="not ready")] = False,
) -> None:
    """Mark the agent ready (or not) to take calls, as the agent screen does."""
    with ctx.obj.open_sessions() as sessions:
        agent = AgentRoster(sessions).set_ready(login, not off)
    typer.echo(f"agent {login}: {'ready' if agent.ready else 'not ready'}")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """The agents, their ready state, and their phones as Asterisk sees them."""
    rows = _with_admin(ctx.obj, lambda a: a.status())
    table = Table(title="坐席")
    for col in ("login", "name", "kind", "enabled", "ready", "phone", "idle since"):
        table.add_column(col)
    for row in rows:
        a = row.agent
        table.add_row(
            a.login,
            a.name,
            a.kind,
            "yes" if a.enabled else "no",
            "yes" if a.ready else "no",
            row.phone.label if row.phone is not None else "?",
            a.idle_since.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)
