"""Loading profiles (``profiles/<id>.yaml``), checked whole on load: an error names the
file, the line and the field (``ConfigError``), as the script loader does."""

from __future__ import annotations

from pathlib import Path

from callcenter.kernel.errors import ConfigError
from callcenter.kernel.yamlfile import load_mapping, validate
from callcenter.profiles.model import Profile

DEFAULT_PROFILE = "yima"


def load_profile(path: Path) -> Profile:
    """Parse and check one profile file; ConfigError names file, line and field."""
    raw = load_mapping(
        path, ConfigError, "profile", "(top): a profile is a mapping with id, name and scripts"
    )
    profile = validate(Profile, raw, path, ConfigError)
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

