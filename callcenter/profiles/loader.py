"""Loading profiles (``profiles/<id>.yaml``), checked whole on load: an error names the
file, the line and the field (``ConfigError``), as the script loader does."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError

from callcenter.kernel.errors import ConfigError
from callcenter.profiles.model import Profile

DEFAULT_PROFILE = "yima"


def load_profile(path: Path) -> Profile:
    """Parse and check one profile file; ConfigError names file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such profile file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (at byte {exc.start})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            raw = YAML(typ="rt").load(text)
    except ReusedAnchorWarning:
        raise ConfigError(f"{path}: an anchor is given twice; give each anchor once") from None
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    except (YAMLError, ValueError, TypeError, KeyError, OverflowError, RecursionError) as exc:
        raise ConfigError(f"{path}: not a readable YAML document: {exc!r}") from None
    if not isinstance(raw, CommentedMap):
        raise ConfigError(f"{path}:1: (top): a profile is a mapping with id, name and scripts")
    try:
        plain = _plain(raw)
    except RecursionError:
        raise ConfigError(f"{path}: a YAML alias makes a node contain itself") from None
    try:
        profile = Profile.model_validate(plain)
    except ValidationError as exc:
        err = exc.errors()[0]
        line, field = _locate(raw, tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        raise ConfigError(f"{path}:{line}: {field}: {msg}{more}") from None
    if profile.id != path.stem:
        raise ConfigError(
            f"{path}:{raw.lc.key('id')[0] + 1}: id: {profile.id!r} differs from the file's "
            f"name; name the file {profile.id}.yaml"
        )
    return profile


def load_profiles(directory: Path) -> dict[str, Profile]:
    """Every profile of ``directory`` by id."""
    return {p.stem: load_profile(p) for p in sorted(directory.glob("*.yaml"))}


def profile_of_script(profiles: dict[str, Profile], script_id: str, home: str) -> Profile | None:
    """The profile a call made with ``script_id`` belongs to: the installation's own
    (``home``) when it names the script, else the first that does."""
    if home in profiles and script_id in profiles[home].scripts:
        return profiles[home]
    return next((p for _, p in sorted(profiles.items()) if script_id in p.scripts), None)


def profile_named(directory: Path, name: str) -> Profile:
    """The profile ``name`` of ``directory``; ConfigError listing those there are."""
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise ConfigError(f"no profile {name!r} in {directory} (profiles: {known})")
    return load_profile(path)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _locate(root: CommentedMap, loc: tuple[Any, ...]) -> tuple[int, str]:
    """Line (1-based) and dotted path of a pydantic error location in the YAML."""
    node: Any = root
    line, path = root.lc.line + 1, []
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
            path.append(str(part))
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
            path.append(f"[{part}]")
        elif isinstance(part, str) and not part.startswith(("function-", "list[", "tuple[")):
            path.append(part)
    return line, ".".join(path).replace(".[", "[") or "(top)"
