"""``callcenter user add|disable|password|list``: who may use the web pages."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.access.passwords import check_new_password, hash_password
from callcenter.access.permissions import ROLE_LABELS
from callcenter.access.tables import ROLES
from callcenter.kernel.errors import AccountError

app = typer.Typer(help="Users of the web pages (roles: " + ", ".join(ROLES) + ").")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")
]


def _actor() -> str:
    # The access log names who changed an account; from the command line, the OS user.
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_new_password(password)
    return password


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="admin | supervisor | auditor | agent")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user; the password is asked for twice, or read from stdin."""
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    password_hash = hash_password(_read_password(password_stdin))
    with ctx.obj.open_sessions() as sessions:
        user = Accounts(sessions).add_user(name, role, password_hash)
        AccessLog(sessions).record("user_added", username=_actor(), detail=f"{name}（{role}）")
    typer.echo(f"user {user.username} added with role {user.role}")


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Refuse the user's logins and end the user's open sessions (the user is kept)."""
    with ctx.obj.open_sessions() as sessions:
        Accounts(sessions).disable_user(name)
        AccessLog(sessions).record("user_disabled", username=_actor(), detail=name)
    typer.echo(f"user {name} disabled")


@app.command()
def password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="login name")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password for the user."""
    password_hash = hash_password(_read_password(password_stdin))
    with ctx.obj.open_sessions() as sessions:
        Accounts(sessions).set_password(name, password_hash)
        AccessLog(sessions).record("password_changed", username=_actor(), detail=name)
    typer.echo(f"password of {name} changed")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """Every user with role and state."""
    with ctx.obj.open_sessions() as sessions:
        users = Accounts(sessions).users()
    table = Table(title="用户")
    for column in ("用户名", "角色", "状态", "创建时间 (UTC)"):
        table.add_column(column)
    for u in users:
        table.add_row(
            u.username,
            f"{u.role}（{ROLE_LABELS[u.role]}）",
            "已停用" if u.disabled else "正常",
            u.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)
