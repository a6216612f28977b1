"""``callcenter profile check|show``: validate the organisation profiles and the scripts
they name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callcenter.interview.script import load_script
from callcenter.kernel.errors import ConfigError
from callcenter.profiles.loader import load_profile

app = typer.Typer(help="Organisation profiles (profiles/*.yaml).")

SAMPLING = {"quotas": "按月度最低数随机抽样", "all": "全部回访（100%）"}


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="profile files")],
    scripts: Annotated[
        Path, typer.Option(help="directory of the call scripts the profiles name")
    ] = Path("ivr_scripts"),
) -> None:
    """Validate profiles and the scripts each names; errors name the file, line and field."""
    for file in files:
        p = load_profile(file)
        for script_id in p.scripts:
            path = scripts / f"{script_id}.yaml"
            if not path.is_file():
                raise ConfigError(f"{file}: scripts: no script {script_id!r} ({path})")
            if load_script(path).id != script_id:
                raise ConfigError(f"{file}: scripts: {path} has another id than {script_id!r}")
        c = p.cycle
        when = (
            "每个工作日回访上一工作日的服务对象"
            if p.daily
            else f"每月，周期截至{c.closes_on or '月末'}日"
            + (f"，{c.call_days[0]}日至{c.call_days[1]}日拨打" if c.call_days else "")
        )
        typer.echo(
            f"{file}: ok — {p.name}: scripts {', '.join(p.scripts)}; "
            f"{SAMPLING[p.population.sampling]}; {when}; 台账表单 {p.ledger_form}"
        )
