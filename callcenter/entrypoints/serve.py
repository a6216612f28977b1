"""``callcenter web serve``: the auditors' pages."""

from __future__ import annotations

from typing import Annotated

import typer
from aiohttp import web

from callcenter.entrypoints.web import create_app
from callcenter.kernel.loop import new_event_loop

app = typer.Typer(help="The auditors' web pages (台账查询, call replay, access log).")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default: setting web.host)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="port to listen on (default: setting web.port)")
    ] = None,
) -> None:
    """Serve the web pages until interrupted; the database is migrated on start."""
    settings = ctx.obj.settings
    web.run_app(
        create_app(settings),
        host=host or settings.web.host,
        port=port or settings.web.port,
        print=lambda message: typer.echo(message),
        access_log_format='%a "%r" %s %b %Tfs',
        loop=new_event_loop(),
    )
