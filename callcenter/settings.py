"""Settings from ``CALLCENTER_*`` environment variables and an optional TOML file.

Precedence, highest first: environment, the TOML file named by ``CALLCENTER_CONFIG``
(or ``--config``), defaults. Nested names use ``__`` in the environment, e.g.
``CALLCENTER_ARI__URL``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from callcenter.agents.config import AgentSettings
from callcenter.campaign.config import CampaignSettings
from callcenter.kernel.errors import ConfigError
from callcenter.transcription.config import TranscriptionSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class AriSettings(BaseModel):
    url: str = "http://127.0.0.1:8088"
    username: str = "callcenter"
    password: SecretStr = SecretStr("callcenter-sandbox")
    app: str = "callcenter"
    request_timeout: float = 10.0
    reconnect_max_delay: float = 10.0


class DialSettings(BaseModel):
    # Dial string for a phone number; {number} is the applicant's normalised number.
    endpoint: str = "PJSIP/{number}@trunk"
    caller_id: str = "03985831315"
    ring_timeout: int = 30  # seconds to let a number ring before giving up
    max_concurrent: int = 20


class IvrSettings(BaseModel):
    key_timeout: float = 8.0
    recording_max_seconds: int = 60
    recording_max_silence: int = 4
    # a watchdog: no call, agent conversation included, stays up longer than this
    max_call_seconds: float = 3600


class TrunkSettings(BaseModel):
    """The carrier trunk in production; the sandbox points it at its simulated applicants."""

    contact: str = "sip:127.0.0.1:5070"
    match: str = "127.0.0.1:5070"
    username: str = ""
    password: SecretStr = SecretStr("")


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Set when the pages are served over HTTPS (directly or behind a proxy).
    secure_cookies: bool = False
    page_size: int = 50
    # Failed logins for one user name within the window before further tries are refused.
    login_max_failures: int = 5
    login_window_minutes: int = 15


class SandboxSettings(BaseModel):
    cache_dir: Path = Path("/var/cache/callcenter")
    uid: int = 64101
    debian_suite: str = "sid"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CALLCENTER_", env_nested_delimiter="__", extra="forbid"
    )

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'storage' / 'callcenter.db'}"
    storage_root: Path = PROJECT_ROOT / "storage"
    script: Path = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
    calling_unit: str = "义马市市场监督管理局"
    tts_engine: str = "espeak-pinyin"
    # Where Asterisk writes recordings, as this process sees it (the sandbox's by
    # default; in production a volume shared with the Asterisk container).
    asterisk_recordings: Path = Path(
        "/var/cache/callcenter/asterisk-root/srv/callcenter/spool/recording"
    )
    ari: AriSettings = AriSettings()
    dial: DialSettings = DialSettings()
    trunk: TrunkSettings = TrunkSettings()
    ivr: IvrSettings = IvrSettings()
    sandbox: SandboxSettings = SandboxSettings()
    web: WebSettings = WebSettings()
    campaign: CampaignSettings = CampaignSettings()
    transcription: TranscriptionSettings = TranscriptionSettings()
    agents: AgentSettings = AgentSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("CALLCENTER_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def recordings_dir(self) -> Path:
        return self.storage_root / "recordings"

    @property
    def prompts_dir(self) -> Path:
        return self.storage_root / "prompts"


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Build settings, turning validation errors into a ``ConfigError`` naming the field."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} does not exist")
        os.environ["CALLCENTER_CONFIG"] = str(config_file)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        where = os.environ.get("CALLCENTER_CONFIG") or "environment (CALLCENTER_*)"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings in {where}: {problems}") from exc
