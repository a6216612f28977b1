"""Settings from ``CALLCENTER_*`` environment variables and an optional TOML file.

Precedence, highest first: environment, the TOML file named by ``CALLCENTER_CONFIG``
(or ``--config``), defaults. Nested names use ``__`` in the environment, e.g.
``CALLCENTER_ARI__URL``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from callcenter.agents.config import AgentSettings
from callcenter.calls.config import ControllerSettings, DialSettings, IvrSettings
from callcenter.campaign.config import CampaignSettings
from callcenter.kernel.errors import ConfigError
from callcenter.kernel.paths import PROJECT_ROOT
from callcenter.profiles.loader import profile_named
from callcenter.profiles.model import Profile
from callcenter.prompts.config import PromptSettings
from callcenter.reports.config import ReportSettings
from callcenter.telephony.config import (
    AriSettings,
    ClusterSettings,
    SandboxSettings,
    TrunkSettings,
)
from callcenter.tickets.config import TicketSettings
from callcenter.transcription.config import TranscriptionSettings
from callcenter.web.config import WebSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CALLCENTER_", env_nested_delimiter="__", extra="forbid"
    )

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'storage' / 'callcenter.db'}"
    storage_root: Path = PROJECT_ROOT / "storage"
    script: Path = PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml"
    calling_unit: str = "义马市市场监督管理局"
    # the organisation's profile (profiles/<id>.yaml): cycle, population, ledger form
    profile: str = "yima"
    profiles_dir: Path = PROJECT_ROOT / "profiles"
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
    controller: ControllerSettings = ControllerSettings()
    sandbox: SandboxSettings = SandboxSettings()
    cluster: ClusterSettings = ClusterSettings()
    web: WebSettings = WebSettings()
    campaign: CampaignSettings = CampaignSettings()
    transcription: TranscriptionSettings = TranscriptionSettings()
    prompts: PromptSettings = PromptSettings()
    agents: AgentSettings = AgentSettings()
    tickets: TicketSettings = TicketSettings()
    reports: ReportSettings = ReportSettings()

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

    def organisation(self, name: str | None = None) -> Profile:
        """The installation's profile (or profile ``name``), read and checked now."""
        return profile_named(self.profiles_dir, name or self.profile)

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
