"""Settings of the campaign feature: who is called, when, how often and how fast.

Defaults follow the source documents: 000 (义马市市场监督管理局工作回访制度) sets the
monthly minimums (局 ≥ 300, each 大厅窗口 ≥ 30, each 所 ≥ 30), 100 % of complaints and no
calls on statutory holidays. Nested under ``campaign`` in :class:`callcenter.settings.Settings`
(``CALLCENTER_CAMPAIGN__…`` in the environment).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class CampaignSettings(BaseModel):
    # -- Celery and Redis --------------------------------------------------------------
    broker_url: str = Field(default="redis://127.0.0.1:6379/0", description="Celery broker (Redis)")
    redis_url: str | None = Field(
        default=None, description="Redis for the slot limiter; broker's if unset"
    )
    broker_prefix: str = Field(
        default="", description="prefix of the broker's keys, for several sets on one Redis"
    )
    key_prefix: str = Field(
        default="callcenter", description="prefix of every Redis key the limiter uses"
    )
    worker_threads: int = Field(
        default=20, ge=1, description="calls one worker process places at once"
    )

    # -- pacing ------------------------------------------------------------------------
    trunk: str = Field(default="trunk", description="name of the trunk the limit applies to")
    max_concurrent_per_trunk: int = Field(
        default=10, ge=1, description="calls up at once, all processes"
    )
    queue_ahead: int | None = Field(
        default=None,
        ge=0,
        description="dial jobs queued beyond the limit, each waiting to take the next free "
        "slot at once; default a quarter of the limit",
    )
    slot_wait_seconds: float = Field(
        default=60, gt=0, description="how long a dial task waits for a slot"
    )
    lease_seconds: float = Field(
        default=30, gt=0, description="a dead process's slots and calls are taken back after this"
    )
    requeue_after_seconds: float = Field(
        default=300, gt=0, description="a queued dial job nobody picked up is sent again after this"
    )
    dispatch_interval_seconds: float = Field(default=30, gt=0, description="beat's dispatch period")
    prompt_wait_seconds: float = Field(
        default=10, gt=0, description="a job whose prompts are not rendered yet is retried after"
    )
    render_workers: int = Field(
        default=2, ge=1, description="speech synthesisers a worker process runs at once"
    )

    def ahead(self) -> int:
        """How many dial jobs wait for a slot beside the calls up (``queue_ahead``)."""
        if self.queue_ahead is not None:
            return self.queue_ahead
        return self.max_concurrent_per_trunk // 4

    # -- when to call ------------------------------------------------------------------
    timezone: str = "Asia/Shanghai"
    windows: list[str] = Field(
        default_factory=lambda: ["09:00-11:30", "14:30-17:30"],
        description="local calling windows, HH:MM-HH:MM (24:00 ends the day)",
    )
    calendar: Literal["cn-statutory", "every-day"] = Field(
        default="cn-statutory",
        description="cn-statutory: China's working days with make-up days (调休); "
        "every-day: no calendar",
    )
    calendar_files: list[Path] = Field(
        default_factory=list,
        description="holiday files (YAML, one year each) or directories of them, for years "
        "chinesecalendar does not know",
    )
    extra_holidays: list[date] = Field(default_factory=list, description="days off to add")
    extra_workdays: list[date] = Field(default_factory=list, description="working days to add")
    unit_daily_cap: int | None = Field(
        default=None, ge=1, description="calls a day per unit, all units"
    )
    unit_daily_caps: dict[str, int] = Field(default_factory=dict, description="per unit name")

    # -- who is called -----------------------------------------------------------------
    quota_bureau: int = Field(
        default=300, ge=0, description="calls a month for the whole bureau (局)"
    )
    quota_window: int = Field(default=30, ge=0, description="calls a month per service-hall window")
    quota_station: int = Field(default=30, ge=0, description="calls a month per station (所)")
    unit_quotas: dict[str, int] = Field(default_factory=dict, description="per unit name")
    recent_days: int = Field(
        default=30,
        ge=0,
        description="an applicant called within this many days is not sampled again",
    )

    # -- retries -----------------------------------------------------------------------
    max_attempts: int = Field(
        default=3, ge=1, description="busy / no answer / congestion: attempts"
    )
    retry_gap_seconds: float = Field(default=7200, ge=0, description="time between those attempts")
    partial_redials: int = Field(default=1, ge=0, description="re-dials of an interview cut short")

    # -- beat --------------------------------------------------------------------------
    plan_day: int = Field(
        default=1, ge=1, le=28, description="day of month beat samples last month"
    )
    plan_time: str = Field(default="08:00", description="local time beat samples last month")
    auto_start: bool = Field(
        default=False, description="start dialling a plan beat made without review"
    )
