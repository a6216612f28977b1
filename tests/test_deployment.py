"""docker-compose.yml would run: every command it gives the application image exists,
every Celery app it names is one, and every ``CALLCENTER_*`` variable it sets is a setting.

No container engine is needed: the commands are resolved against the ``callcenter``
command and Celery's own lookup, with the services' environment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main
from celery.bin.celery import celery as celery_command
from pydantic import BaseModel
from ruamel.yaml import YAML

from callcenter.entrypoints.cli import app as cli_app
from callcenter.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
APP_DOCKERFILE = "docker/app.Dockerfile"
# read by load_settings() itself, not a field of Settings
SETTINGS_FILE_VARIABLE = "CALLCENTER_CONFIG"


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = YAML(typ="safe").load(COMPOSE)["services"]
    return services


def _app_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in _services().items()
        if (service.get("build") or {}).get("dockerfile") == APP_DOCKERFILE
    }


def _image_entrypoint() -> list[str]:
    for line in (ROOT / APP_DOCKERFILE).read_text().splitlines():
        if line.startswith("ENTRYPOINT "):
            entrypoint: list[str] = json.loads(line.removeprefix("ENTRYPOINT "))
            return entrypoint
    raise AssertionError(f"{APP_DOCKERFILE} has no ENTRYPOINT")


def _argv(service: dict[str, Any]) -> list[str]:
    """What the container runs: the service's entrypoint (the image's unless set) + command."""
    entrypoint = service.get("entrypoint")
    if entrypoint is None:
        entrypoint = _image_entrypoint()
    return [*entrypoint, *service.get("command", [])]


def _interpolate(value: object) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` with every variable set (as a secret would be)."""
    return re.sub(r"\$\{(\w+)(:?-[^}]*)?\}", lambda m: f"from-env-{m.group(1).lower()}", str(value))


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {key: _interpolate(value) for key, value in (service.get("environment") or {}).items()}


def _is_cli(argv: list[str]) -> bool:
    return argv[:3] == ["python", "-m", "callcenter"]


def _is_celery(argv: list[str]) -> bool:
    return argv[:1] == ["celery"]


def _cli_command(args: list[str]) -> str:
    """The ``callcenter`` subcommand ``args`` run, its options parsed as the command would."""
    command = typer.main.get_command(cli_app)
    path = ["callcenter"]
    while isinstance(command, typer.core.TyperGroup):
        assert args and not args[0].startswith("-"), (
            f"'{' '.join(path)}' needs a subcommand, got {args}"
        )
        name, args = args[0], args[1:]
        sub = command.commands.get(name)
        assert sub is not None, f"'{' '.join(path)}' has no command {name!r}"
        command, path = sub, [*path, name]
    # parses and checks the options and arguments without running the command
    command.make_context(" ".join(path), list(args))
    return " ".join(path[1:])


def _celery_app_target(argv: list[str]) -> str:
    for flag in ("-A", "--app"):
        if flag in argv:
            return argv[argv.index(flag) + 1]
    raise AssertionError(f"{argv}: no -A/--app")


def _celery_subcommand(argv: list[str]) -> str:
    target = _celery_app_target(argv)
    rest = argv[argv.index(target) + 1 :]
    assert rest, f"{argv}: no celery subcommand"
    return rest[0]


# Imports a ``celery -A`` target the way Celery does, in a process of its own (the app
# module builds the app from settings and connects worker signals) and with the network
# refused: building the app must not reach the broker or the database.
_FIND_APP = """
import socket, sys

def refuse(*args, **kwargs):
    raise AssertionError(f"network used at import: {args!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from celery import Celery
from celery.app.utils import find_app

app = find_app(sys.argv[1])
print(f"{type(app).__module__}.{type(app).__qualname__}", isinstance(app, Celery))
"""


def test_the_services_run_the_callcenter_command_or_celery() -> None:
    services = _app_services()
    assert services, f"no service of {COMPOSE.name} is built from {APP_DOCKERFILE}"
    for name, service in services.items():
        argv = _argv(service)
        assert _is_cli(argv) or _is_celery(argv), f"{name}: {argv} is neither"


@pytest.mark.parametrize("name", sorted(n for n, s in _app_services().items() if _is_cli(_argv(s))))
def test_command_is_a_callcenter_command(name: str) -> None:
    _cli_command(_argv(_app_services()[name])[3:])


@pytest.mark.parametrize(
    "name", sorted(n for n, s in _app_services().items() if _is_celery(_argv(s)))
)
def test_celery_app_is_a_celery_instance(name: str) -> None:
    service = _app_services()[name]
    argv = _argv(service)
    assert _celery_subcommand(argv) in celery_command.commands, argv
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update(_environment(service), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", _FIND_APP, _celery_app_target(argv)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name}: {argv}\n{result.stderr}"
    assert result.stdout.split() == ["celery.app.base.Celery", "True"], result.stdout


def _is_setting(variable: str) -> bool:
    """Whether pydantic-settings reads ``variable`` into a field (it ignores unknown ones)."""
    model: type[BaseModel] = Settings
    *parents, leaf = variable.removeprefix("CALLCENTER_").lower().split("__")
    for part in parents:
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return False
        model = annotation
    return leaf in model.model_fields


def test_every_callcenter_variable_is_a_setting() -> None:
    unknown = {
        f"{name}: {variable}"
        for name, service in _services().items()
        for variable in service.get("environment") or {}
        if variable.startswith("CALLCENTER_")
        and variable != SETTINGS_FILE_VARIABLE
        and not _is_setting(variable)
    }
    assert unknown == set()


def test_every_long_running_part_has_a_service() -> None:
    running = set()
    for service in _app_services().values():
        argv = _argv(service)
        if _is_cli(argv):
            running.add(_cli_command(argv[3:]))
        else:
            running.add(f"celery {_celery_subcommand(argv)}")
    # the dialling worker, the scheduler, the transcription queue's worker and the pages
    assert {"celery worker", "celery beat", "transcription worker", "web serve"} <= running
