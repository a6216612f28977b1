"""Settings of the 整改 tickets: deadlines, warnings, re-visits and the mail of notices.

Nested under ``tickets`` in :class:`callcenter.settings.Settings` (``CALLCENTER_TICKETS__…``
in the environment). Defaults follow 济宁 第七条: contact within 24 hours, a report
within 3 days, read as working days (政务服务 deadlines in days are working days); 信阳
sets 5 working days (``report = "5wd"``). Working days are the calling calendar's
(``campaign.calendar``, ``extra_holidays``, ``extra_workdays``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from callcenter.kernel.errors import ConfigError
from callcenter.profiles.model import Tickets
from callcenter.tickets.deadlines import Period, parse_period


class TicketSettings(BaseModel):
    contact: str = Field(
        default="24h", description="the unit contacts the applicant within: 24h, 3d or 5wd"
    )
    report: str = Field(default="3wd", description="the unit's rectification report within")
    warn_hours: float = Field(
        default=8, ge=0, description="预警 this many working hours before a deadline"
    )
    revisit_after: str = Field(
        default="0h", description="a report waits this long before its re-visit is due"
    )
    contact_by: Literal["any", "visit"] = Field(
        default="any",
        description="visit: the unit's contact must be a 上门回访 (信阳 001: 差评 → 100 % visits)",
    )
    # the ticket pages' address, for the link in notices (e.g. https://huifang.example.cn)
    base_url: str = ""

    # -- notices by mail (smtplib); without a host, notices are not sent ----------------
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: str = Field(default="none", pattern="^(none|starttls|ssl)$")
    smtp_username: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_from: str = "callcenter@localhost"
    smtp_timeout: float = Field(default=10, gt=0)

    @field_validator("contact", "report", "revisit_after")
    @classmethod
    def _period(cls, v: str) -> str:
        if v.strip() in ("0", "0h"):
            return "0h"
        try:
            parse_period(v)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return v

    def period(self, name: str) -> Period | None:
        """The parsed period of ``contact``, ``report`` or ``revisit_after``; None for 0."""
        spec = getattr(self, name)
        return None if spec == "0h" else parse_period(spec, f"tickets.{name}")


def with_profile(settings: TicketSettings, rules: Tickets) -> TicketSettings:
    """The ticket settings with what the organisation's profile sets in their place."""
    given = {k: v for k, v in rules.model_dump().items() if v is not None}
    return settings.model_copy(update=given) if given else settings
