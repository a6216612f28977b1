"""Operator actions on campaigns: plan a month, start, pause, resume, see its status.

A campaign's calling month covers the cases completed in the month before it
(000: 每月初对上一个月的办件进行回访). Planning draws the sample with a recorded seed and
stores, for every case drawn, the rule that drew it; nothing is dialled until the
campaign is started.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.sampling import Candidate, Quotas, Sample, draw_sample, take_all
from callcenter.campaign.store import CampaignStore, CampaignView, Planned
from callcenter.cases.phones import PhoneError, normalise
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import CampaignError
from callcenter.profiles.cycles import calling_days, daily_period, monthly_period
from callcenter.profiles.model import Profile


@dataclass(frozen=True)
class Plan:
    campaign: CampaignView
    sample: Sample | None  # None when the plan already existed and was only read back
    created: bool
    # what the operator should know before dialling: an unused seed, unknown days
    warnings: list[str] = field(default_factory=list)


def parse_month(text: str) -> date:
    """``YYYY-MM`` → the first day of that month; CampaignError names a bad value."""
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CampaignError(f"month {text!r} is not YYYY-MM") from None


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` → that day; CampaignError names a bad value."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CampaignError(f"day {text!r} is not YYYY-MM-DD (the profile calls daily)") from None


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


class CampaignService:
    def __init__(
        self,
        store: CampaignStore,
        settings: CampaignSettings,
        calendar: CallingCalendar,
        clock: Clock,
        profile: Profile | None = None,
        script: str | None = None,
    ) -> None:
        """``profile``: whose cycle, population and sampling (None: 000's, the previous
        month's cases drawn by the quota settings); ``script``: the dial jobs' script
        (None: the controller's default)."""
        self.store = store
        self.settings = settings
        self.calendar = calendar
        self.clock = clock
        self.profile = profile
        self.script = script

    @property
    def daily(self) -> bool:
        return self.profile is not None and self.profile.daily

    def current_month(self) -> str:
        """The current calling month (YYYY-MM), or day (YYYY-MM-DD) of a daily profile."""
        return f"{self.calendar.local(self.clock.now()):%Y-%m-%d}"[: 10 if self.daily else 7]

    def due_cycle(self) -> str | None:
        """What beat plans now: the calling month, or today if a working day (else None)."""
        label = self.current_month()
        if self.daily and not self.calendar.workdays.is_workday(date.fromisoformat(label)):
            return None
        return label

    def plan(self, month: str | None = None, seed: int | None = None, redraw: bool = False) -> Plan:
        """The plan of ``month`` (the calling month; default this one), drawn now if the
        month has none yet (or ``redraw`` of a plan not started)."""
        month = month or self.current_month()
        first = parse_day(month) if self.daily else parse_month(month)
        month = f"{first:%Y-%m-%d}" if self.daily else f"{first:%Y-%m}"
        existing = {c.month: c for c in self.store.campaigns()}
        if month in existing and not redraw:
            old = existing[month]
            warnings = self.calendar_warnings(month)
            if seed is not None and seed != old.seed:
                warnings.insert(0, _seed_warning(old, seed))
            return Plan(old, None, False, warnings)
        if month in existing:
            self.store.drop_plan(month)
        (start, end), calls_from = self.period(first)
        seed = secrets.randbits(48) if seed is None else seed
        now = self.clock.now()
        candidates, bad_phones = self._candidates(start, end)
        do_not_call = set(self.store.do_not_call())
        quotas = self.quotas()
        if self.profile is not None and self.profile.population.sampling == "all":
            sample = take_all(candidates, seed, do_not_call)
        else:
            recent_since = now - timedelta(days=self.settings.recent_days)
            recently = (
                self.store.recently_called(recent_since) if self.settings.recent_days else set()
            )
            sample = draw_sample(candidates, quotas, seed, do_not_call, recently)
        if bad_phones:
            sample.excluded["bad_phone"] = bad_phones
        by_id = {c.case_id: c for c in candidates}
        unit_ids = self.store.unit_ids({c.unit for c in candidates})
        planned = [
            Planned(
                d.case_id,
                d.reason,
                d.draw,
                unit_ids[by_id[d.case_id].unit],
                by_id[d.case_id].phone,
                by_id[d.case_id].is_complaint,
            )
            for d in sample.drawn
        ]
        month_start = datetime.combine(calls_from, time(), self.calendar.tz)
        due = max(now, month_start)
        key = secrets.token_hex(4)
        summary = _summary(sample, quotas, self.settings)
        if self.profile is not None:
            summary["profile"] = self.profile.id
            summary["rules"]["sampling"] = self.profile.population.sampling
        campaign_id = self.store.create(
            month, key, (start, end), seed, summary, planned, due, self.script
        )
        view = self.store.campaign(month)
        assert view.id == campaign_id
        return Plan(view, sample, True, self.calendar_warnings(month))

    def period(self, first: date) -> tuple[tuple[date, date], date]:
        """[start, end) of the completion dates the campaign of ``first`` (its calling
        month's first day, or its calling day) covers, and the first day it calls."""
        if self.profile is None:
            return (previous_month(first), first), first
        if self.profile.daily:
            if not self.calendar.workdays.is_workday(first):
                why = self.calendar.workdays.day_off_reason(first) or "非工作日"
                raise CampaignError(
                    f"{first} is not a working day ({why}): profile {self.profile.id} calls "
                    "the clients of the previous working day on working days only"
                )
            return daily_period(first, self.calendar.workdays), first
        cycle = self.profile.cycle
        return monthly_period(cycle, first), calling_days(cycle, first)[0]

    def quotas(self) -> Quotas:
        """The quota settings, with the minimums a profile gives in their place."""
        quotas = Quotas.from_settings(self.settings)
        given = None if self.profile is None else self.profile.population.quotas
        if given is None:
            return quotas
        return Quotas(given.bureau, given.window, given.station, quotas.per_unit)

    def calendar_warnings(self, month: str) -> list[str]:
        """A warning if the calendar cannot tell of some days of the calling month
        whether they are working days: on those the dialler would pause the campaign."""
        first = parse_month(month[:7])
        end = (first + timedelta(days=32)).replace(day=1)
        unknown = self.calendar.unknown_days(first, end)
        if not unknown:
            return []
        n = len(unknown)
        span = f"{unknown[0]}" if n == 1 else f"{unknown[0]} … {unknown[-1]}"
        return [
            f"the calendar does not know {n} day{'s' * (n != 1)} of {month} ({span}): the "
            f"dialler will pause the campaign on them; add the State Council's "
            f"{unknown[0].year} holidays in a holiday file (campaign.calendar_files)"
        ]

    def _candidates(self, start: date, end: date) -> tuple[list[Candidate], int]:
        """Cases completed in [start, end) with a diallable number; and how many had none
        (rows stored before numbers were checked on import)."""
        out, bad = [], 0
        matters = () if self.profile is None else tuple(self.profile.population.matters)
        for row in self.store.candidates(start, end):
            if matters and not any(m in row.matter for m in matters):
                continue
            try:
                phone = normalise(row.phone)
            except PhoneError:
                bad += 1
                continue
            out.append(
                Candidate(row.id, row.case_no, row.unit, row.unit_kind, phone, row.is_complaint)
            )
        return out, bad

    def start(self, month: str | None = None) -> CampaignView:
        return self.store.set_state(
            month or self.store.campaign().month, ("planned", "paused"), "running", self.clock.now()
        )

    def pause(self, month: str | None = None) -> CampaignView:
        """No new call starts; calls in progress finish."""
        return self.store.set_state(
            month or self.store.campaign().month, ("running",), "paused", self.clock.now()
        )

    def resume(self, month: str | None = None) -> CampaignView:
        return self.store.set_state(
            month or self.store.campaign().month, ("paused",), "running", self.clock.now()
        )

    def month_to_plan(self) -> str:
        """The calling month beat plans on its monthly run: the current one."""
        return self.current_month()


def _seed_warning(old: CampaignView, seed: int) -> str:
    redraw = (
        f"to draw it again with seed {seed}: callcenter campaign plan --month {old.month} "
        f"--seed {seed} --redraw"
        if old.state == "planned"
        else f"it is {old.state}, so it can no longer be redrawn"
    )
    return (
        f"campaign {old.month} was already drawn with seed {old.seed}; this is that plan, "
        f"not one drawn with seed {seed} ({redraw})"
    )


def _summary(sample: Sample, quotas: Quotas, settings: CampaignSettings) -> dict[str, Any]:
    """What an auditor needs to see why the sample is what it is."""
    return {
        "seed": sample.seed,
        "rules": {
            "quota_bureau": quotas.bureau,
            "quota_window": quotas.window,
            "quota_station": quotas.station,
            "unit_quotas": dict(quotas.per_unit),
            "complaints": "all",
            "recent_days": settings.recent_days,
        },
        "candidates": sample.candidates,
        "drawn": sample.total,
        "reasons": dict(sample.reasons()),
        "excluded": sample.excluded,
        "bureau_required": sample.bureau_required,
        "bureau_shortfall": sample.bureau_shortfall,
        "units": [
            {
                "unit": u.unit,
                "kind": u.kind,
                "required": u.required,
                "eligible": u.eligible,
                "complaints": u.complaints,
                "chosen": u.chosen,
                "shortfall": u.shortfall,
            }
            for u in sample.units
        ],
    }
