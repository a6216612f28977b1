"""``callcenter asterisk config``: render the production Asterisk configuration.

The same templates in dialplans/ make the sandbox's configuration; production leaves
out the simulated applicants and points the trunk at the carrier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callcenter.telephony.sandbox import config as asterisk_config

app = typer.Typer(help="Asterisk configuration from the templates in dialplans/.")


@app.command()
def config(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="directory to write the .conf files into")],
    spool: Annotated[
        str, typer.Option(help="Asterisk spool dir (recordings under it)")
    ] = "/var/spool/callcenter",
    http_bind: Annotated[str, typer.Option(help="address ARI listens on")] = "0.0.0.0",
    sip_bind: Annotated[str, typer.Option(help="address SIP listens on")] = "0.0.0.0",
    # a second Asterisk on the same host (docker-compose.yml's example) needs its own
    sip_port: Annotated[int, typer.Option(help="UDP port SIP listens on")] = 5060,
    rtp_start: Annotated[int, typer.Option(help="first RTP port")] = 10000,
    rtp_end: Annotated[int, typer.Option(help="last RTP port")] = 19999,
) -> None:
    """Write asterisk.conf, pjsip.conf, extensions.conf, ari.conf … for production."""
    s = ctx.obj.settings
    trunk_auth = None
    if s.trunk.username:
        trunk_auth = {"username": s.trunk.username, "password": s.trunk.password.get_secret_value()}
    cfg = asterisk_config.AsteriskConfig(
        dirs=asterisk_config.AsteriskDirs(
            etc=str(out),
            lib="/var/lib/asterisk",
            log="/var/log/asterisk",
            run="/var/run/asterisk",
            cache="/var/cache/asterisk",
            spool=spool,
        ),
        ari_user=s.ari.username,
        ari_password=s.ari.password.get_secret_value(),
        http_bind=http_bind,
        http_port=int(s.ari.url.rsplit(":", 1)[1].split("/")[0]),
        sip_bind=sip_bind,
        sip_port=sip_port,
        rtp_start=rtp_start,
        rtp_end=rtp_end,
        trunk_contact=s.trunk.contact,
        trunk_match=s.trunk.match,
        trunk_auth=trunk_auth,
        simulator=False,
    )
    files = asterisk_config.render(cfg)
    asterisk_config.write(files, out)
    typer.echo(f"wrote {len(files)} files to {out}")
