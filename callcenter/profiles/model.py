"""An organisation's follow-up as data: one profile per bureau (``profiles/<id>.yaml``).

A profile names what differs from one bureau's rules to another's: the call script(s),
who is called (the population, sampled by quotas or called in full), the cycle the
population covers and the days calls are placed, the 差评 deadlines, and the form the
台账 is exported in. Pure data and checks; the YAML loader is :mod:`.loader`, the date
arithmetic :mod:`.cycles`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The export forms the ledger can write (callcenter.ledger.forms); a profile names one.
LEDGER_FORMS = ("附件2", "附表1", "问卷统计", "好差评清单")
# The import forms the case importer knows (callcenter.cases.columns.FORMS).
IMPORT_FORMS = ("办结事项", "附表3")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quotas(_Model):
    """Monthly minimums of calls (000): the 局 as a whole, each 窗口, each 所."""

    bureau: int = Field(default=300, ge=0)
    window: int = Field(default=30, ge=0)
    station: int = Field(default=30, ge=0)


class Population(_Model):
    """Who is called: the cases imported (in which form) and how they are chosen."""

    description: str = ""
    import_form: Literal["办结事项", "附表3"] = "办结事项"
    # quotas: random draw up to the monthly minimums; all: every case (100 %)
    sampling: Literal["quotas", "all"] = "quotas"
    quotas: Quotas | None = None
    # matters (回访事项) a case must name one of to be called; empty: every case
    matters: list[str] = []
    # the caller and the agent must never be the case's handler (办案人), 003
    separate_handler: bool = False

    @model_validator(mode="after")
    def _quotas_only_when_sampled(self) -> Population:
        if self.sampling == "all" and self.quotas is not None:
            raise ValueError("quotas apply to sampling: quotas; sampling: all calls every case")
        return self


class Cycle(_Model):
    """The cases a campaign covers and the days its calls are placed.

    ``every: month``: the campaign of calling month M covers the cycle that closed in
    month M-1: cases completed after the ``closes_on`` day of M-2 up to and including
    that day of M-1 (without ``closes_on``: the whole of M-1). Calls are placed on the
    working days of M between ``call_days`` (both included; default the whole month).

    ``every: working_day``: the campaign of working day D covers the cases completed
    from the previous working day up to the day before D, and is called on D.
    """

    every: Literal["month", "working_day"] = "month"
    closes_on: int | None = Field(default=None, ge=1, le=28)
    call_days: tuple[int, int] | None = None
    plan_time: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

    @model_validator(mode="after")
    def _consistent(self) -> Cycle:
        if self.every == "working_day" and (self.closes_on or self.call_days):
            raise ValueError("closes_on and call_days apply to every: month")
        if self.call_days is not None:
            first, last = self.call_days
            if not 1 <= first <= last <= 28:
                raise ValueError(
                    f"call_days {list(self.call_days)}: first and last day of the month, "
                    "1 <= first <= last <= 28"
                )
        return self


class Tickets(_Model):
    """How the bureau follows a 差评 up, where it differs from the ticket settings: the
    deadlines (``tickets.contact`` / ``report``) and whether the unit's contact with the
    applicant must be a visit (信阳 001: 差评 → 100 % 上门回访, recorded when done)."""

    contact: str | None = Field(default=None, pattern=r"^[0-9]+(h|d|wd)$")
    report: str | None = Field(default=None, pattern=r"^[0-9]+(h|d|wd)$")
    contact_by: Literal["any", "visit"] | None = None


class Profile(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    source: str = ""
    scripts: list[str] = Field(min_length=1)
    population: Population = Population()
    cycle: Cycle = Cycle()
    tickets: Tickets = Tickets()
    ledger_form: Literal["附件2", "附表1", "问卷统计", "好差评清单"] = "附件2"

    @model_validator(mode="after")
    def _scripts_unique(self) -> Profile:
        if len(set(self.scripts)) != len(self.scripts):
            raise ValueError(f"scripts repeat: {self.scripts}")
        return self

    @property
    def script(self) -> str:
        """The script of the profile's follow-up calls (its first)."""
        return self.scripts[0]

    @property
    def daily(self) -> bool:
        return self.cycle.every == "working_day"
