"""Sample cases and simulated applicants for the demo and the benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from callcenter.telephony.sandbox import simulator as sim

UNITS = (
    ("政务服务中心市场监管窗口", "window"),
    ("城区市场监管所", "station"),
    ("千秋市场监管所", "station"),
    ("东区市场监管所", "station"),
)
MATTERS = (
    "个体工商户设立登记",
    "食品经营许可证核发",
    "企业变更登记",
    "营业执照补领",
    "药品零售企业许可",
    "特种设备使用登记",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "艳", "勇", "杰", "娟", "涛")


@dataclass(frozen=True)
class Persona:
    name: str
    behaviour: str
    expect: str  # the Outcome value this persona should produce


def personas() -> list[Persona]:
    """Kinds of people on the other end, in the order the demo cycles through them."""
    all_ones = sim.keys("1")  # consent
    return [
        Persona("满意", sim.answer(*all_ones, *sim.keys("1121122"), "h"), "answered_complete"),
        Persona(
            "不满意并说明",
            sim.answer(*all_ones, "b4", "t", "k#", *sim.keys("121121"), "t", "k#", "h"),
            "answered_complete",
        ),
        Persona("不方便接听", sim.answer("b2"), "refused"),
        Persona("占线", "busy", "busy"),
        Persona("中途挂断", sim.answer("b1", "b2", "b1", "h"), "answered_partial"),
        Persona(
            "按错键", sim.answer("b1", "b9", "k1", *sim.keys("121122"), "h"), "answered_complete"
        ),
        Persona("无人接听", "noanswer", "no_answer"),
        Persona("线路拥塞", "congestion", "congestion"),
    ]


@dataclass(frozen=True)
class SampleCase:
    case_no: str
    unit: str
    unit_kind: str
    applicant_name: str
    title: str
    phone: str
    matter: str
    completed_on: date
    persona: Persona


def sample_cases(
    n: int, month: date, seed: int = 7, phone_base: int = 13800000000
) -> list[SampleCase]:
    """``n`` cases completed in ``month`` (a date in it), with varied simulated applicants."""
    rng = random.Random(seed)
    people = personas()
    out = []
    for i in range(n):
        unit, kind = UNITS[i % len(UNITS)]
        title = rng.choice(("先生", "女士"))
        out.append(
            SampleCase(
                case_no=f"YM{month:%Y%m}{i + 1:05d}",
                unit=unit,
                unit_kind=kind,
                applicant_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                title=title,
                phone=str(phone_base + i + 1),
                matter=rng.choice(MATTERS),
                completed_on=month.replace(day=rng.randint(1, 28)),
                persona=people[i % len(people)],
            )
        )
    return out
