"""Render the Asterisk configuration from the templates in ``dialplans/``.

The same templates serve the sandbox (with the simulated applicants) and
production (``docker-compose.yml``), so what is tested is what is deployed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from callcenter.kernel.paths import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "dialplans"


@dataclass(frozen=True)
class AsteriskDirs:
    etc: str
    lib: str
    log: str
    run: str
    cache: str
    spool: str


@dataclass(frozen=True)
class AsteriskConfig:
    dirs: AsteriskDirs
    ari_user: str
    ari_password: str
    http_bind: str = "127.0.0.1"
    http_port: int = 8088
    sip_bind: str = "127.0.0.1"
    sip_port: int = 5060
    trunk_contact: str = "sip:127.0.0.1:5070"
    trunk_match: str = "127.0.0.1:5070"
    trunk_auth: dict[str, str] | None = None
    rtp_start: int = 10000
    rtp_end: int = 19999
    max_calls: int = 2000
    simulator: bool = True
    sim_port: int = 5070
    # a simulated applicant who listens takes this much quiet as the end of a prompt
    sim_quiet_ms: int = 1000
    sim_listen_max: int = 90  # seconds a listener waits at most
    sim_sounds: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def render(config: AsteriskConfig, template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """Return {file name: text} for every file in the template dir."""
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    values = asdict(config)
    values["dirs"] = config.dirs
    files: dict[str, str] = {}
    for path in sorted(template_dir.iterdir()):
        if path.suffix == ".j2":
            files[path.stem] = env.get_template(path.name).render(**values)
        elif path.suffix == ".conf":
            files[path.name] = path.read_text()
    return files


def write(files: dict[str, str], etc_dir: Path) -> str:
    """Write the rendered files; return a digest of their content."""
    etc_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        (etc_dir / name).write_text(text)
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()
