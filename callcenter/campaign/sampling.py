"""Who is called this month: the sampling rules of the source documents, reproducible.

Rules (000 义马市市场监督管理局工作回访制度, 001 信阳市住建局):
- every complaint case (投诉件) is called: 100 %;
- completed cases are drawn at random per unit until the unit's monthly minimum is met
  (each 大厅窗口 ≥ 30, each 所 ≥ 30 by default), complaints counting towards it;
- then, if the bureau (局) as a whole is below its minimum (≥ 300), more are drawn at
  random from every unit's remaining cases;
- a number on the do-not-call list is never drawn, not even for a complaint;
- an applicant called within the last ``recent_days`` is not drawn at random, and one
  applicant is drawn at most once per month (complaints excepted: each is called).

Given the same candidates and seed, the draw is the same: candidates are put in case
number order before the seeded generator touches them. A unit with fewer eligible
cases than its minimum gives all it has, and the shortfall is reported, not hidden.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from callcenter.campaign.config import CampaignSettings


@dataclass(frozen=True)
class Candidate:
    case_id: int
    case_no: str
    unit: str
    unit_kind: str  # bureau / window / station
    phone: str
    is_complaint: bool


@dataclass(frozen=True)
class Quotas:
    bureau: int = 300
    window: int = 30
    station: int = 30
    per_unit: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: CampaignSettings) -> Quotas:
        return cls(
            settings.quota_bureau,
            settings.quota_window,
            settings.quota_station,
            dict(settings.unit_quotas),
        )

    def for_unit(self, unit: str, kind: str) -> int:
        if unit in self.per_unit:
            return self.per_unit[unit]
        return {"window": self.window, "station": self.station}.get(kind, 0)


@dataclass(frozen=True)
class Drawn:
    case_id: int
    reason: str  # complaint / unit_quota / bureau_quota
    draw: int  # 1-based order of the draw


@dataclass(frozen=True)
class UnitQuota:
    unit: str
    kind: str
    required: int
    eligible: int  # cases that could be drawn, complaints included
    complaints: int
    chosen: int

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.chosen)


@dataclass(frozen=True)
class Sample:
    seed: int
    drawn: list[Drawn]
    units: list[UnitQuota]
    bureau_required: int
    candidates: int
    excluded: dict[str, int]  # do_not_call / recently_called / same_applicant

    @property
    def total(self) -> int:
        return len(self.drawn)

    @property
    def bureau_shortfall(self) -> int:
        return max(0, self.bureau_required - self.total)

    def reasons(self) -> Counter[str]:
        return Counter(d.reason for d in self.drawn)


def draw_sample(
    candidates: Iterable[Candidate],
    quotas: Quotas,
    seed: int,
    do_not_call: frozenset[str] | set[str] = frozenset(),
    recently_called: frozenset[str] | set[str] = frozenset(),
) -> Sample:
    ordered = sorted(candidates, key=lambda c: c.case_no)
    rng = random.Random(seed)
    excluded: Counter[str] = Counter()
    drawn: list[Drawn] = []
    chosen_phones: set[str] = set()
    kinds: dict[str, str] = {}
    per_unit_chosen: Counter[str] = Counter()
    per_unit_complaints: Counter[str] = Counter()
    per_unit_eligible: Counter[str] = Counter()
    pools: dict[str, list[Candidate]] = defaultdict(list)

    def take(c: Candidate, reason: str) -> None:
        drawn.append(Drawn(c.case_id, reason, len(drawn) + 1))
        chosen_phones.add(c.phone)
        per_unit_chosen[c.unit] += 1

    for c in ordered:
        kinds.setdefault(c.unit, c.unit_kind)
        if c.phone in do_not_call:
            excluded["do_not_call"] += 1
        elif c.is_complaint:
            per_unit_eligible[c.unit] += 1
            per_unit_complaints[c.unit] += 1
            take(c, "complaint")
        elif c.phone in recently_called:
            excluded["recently_called"] += 1
        else:
            per_unit_eligible[c.unit] += 1
            pools[c.unit].append(c)

    leftovers: list[Candidate] = []
    for unit in sorted(kinds):
        pool = pools.get(unit, [])
        rng.shuffle(pool)
        need = quotas.for_unit(unit, kinds[unit]) - per_unit_chosen[unit]
        for i, c in enumerate(pool):
            if need <= 0:
                leftovers.extend(pool[i:])
                break
            if c.phone in chosen_phones:
                excluded["same_applicant"] += 1
                continue
            take(c, "unit_quota")
            need -= 1

    need = quotas.bureau - len(drawn)
    if need > 0:
        leftovers.sort(key=lambda c: c.case_no)
        rng.shuffle(leftovers)
        for c in leftovers:
            if need <= 0:
                break
            if c.phone in chosen_phones:
                excluded["same_applicant"] += 1
                continue
            take(c, "bureau_quota")
            need -= 1

    units = [
        UnitQuota(
            unit=u,
            kind=kinds[u],
            required=quotas.for_unit(u, kinds[u]),
            eligible=per_unit_eligible[u],
            complaints=per_unit_complaints[u],
            chosen=per_unit_chosen[u],
        )
        for u in sorted(kinds)
    ]
    return Sample(
        seed=seed,
        drawn=drawn,
        units=units,
        bureau_required=quotas.bureau,
        candidates=len(ordered),
        excluded=dict(excluded),
    )


def take_all(
    candidates: Iterable[Candidate],
    seed: int,
    do_not_call: frozenset[str] | set[str] = frozenset(),
) -> Sample:
    """Every candidate (100 %, 001 and 004): no draw and no quota. The do-not-call list
    still holds, and an applicant with several cases in the cycle is called once."""
    ordered = sorted(candidates, key=lambda c: c.case_no)
    excluded: Counter[str] = Counter()
    drawn: list[Drawn] = []
    phones: set[str] = set()
    kinds: dict[str, str] = {}
    chosen: Counter[str] = Counter()
    eligible: Counter[str] = Counter()
    complaints: Counter[str] = Counter()
    for c in ordered:
        kinds.setdefault(c.unit, c.unit_kind)
        if c.phone in do_not_call:
            excluded["do_not_call"] += 1
            continue
        eligible[c.unit] += 1
        complaints[c.unit] += c.is_complaint
        if c.phone in phones:
            excluded["same_applicant"] += 1
            continue
        phones.add(c.phone)
        drawn.append(Drawn(c.case_id, "all", len(drawn) + 1))
        chosen[c.unit] += 1
    units = [
        UnitQuota(u, kinds[u], eligible[u], eligible[u], complaints[u], chosen[u])
        for u in sorted(kinds)
    ]
    return Sample(seed, drawn, units, 0, len(ordered), dict(excluded))
