"""Prompts are rendered ahead of the calls, once per distinct text; a call whose prompts
are missing is held back before anything is dialled or written."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from callcenter.calls.controller import Controller
from callcenter.calls.prompts import PromptsNotReady, media_for, prompt_items, render_cases
from callcenter.calls.store import Ledger
from callcenter.interview.case import CaseInfo
from callcenter.interview.script import load_script
from callcenter.ledger.store import LedgerReader
from callcenter.telephony.ari.router import EventRouter
from callcenter.telephony.prompts.cache import PromptCache
from tests.calls.test_call import SCRIPT, DyingAri, deps
from tests.telephony.prompts.helpers import ToneEngine

MATTERS = [
    "企业变更登记",
    "个体工商户设立登记",
    "食品经营许可",
    "药品零售许可",
    "广告登记",
    "商标质押",
]
UNITS = ["城区市场监管所", "千秋市场监管所", "东区市场监管所", "泰山市场监管所"]


def cases(n: int) -> list[CaseInfo]:
    """``n`` applicants of one name and date, over 6 matters and 4 units."""
    return [
        CaseInfo(
            case_id=i,
            phone=str(13900000000 + i),
            applicant_name="王伟",
            title="先生",
            unit=UNITS[i % 4],
            matter=MATTERS[i % 6],
            completed_on=date(2026, 10, 9),
        )
        for i in range(n)
    ]


def test_three_hundred_calls_render_each_distinct_text_once(tmp_path: Path) -> None:
    script = load_script(SCRIPT)
    engine = ToneEngine()
    cache = PromptCache(engine, tmp_path / "cache")
    calls = [(script, c) for c in cases(300)]
    distinct = {t for _, c in calls for t in prompt_items(script, c)}
    # the fixed texts, plus one per unit-and-matter pair that occurs (12 of 24)
    fixed = {t for t in distinct if not any(m in t for m in MATTERS)}
    assert len(distinct) == len(fixed) + 12

    assert render_cases(cache, calls, workers=2) == len(distinct)
    # the engine hears each text once (in its spoken form: numbers written out)
    assert len(engine.texts) == len(set(engine.texts)) == len(distinct)
    # a second planning of the same calls synthesises nothing
    render_cases(cache, calls)
    assert len(engine.texts) == len(distinct)


def test_media_are_looked_up_only_and_every_file_exists(tmp_path: Path) -> None:
    script = load_script(SCRIPT)
    engine = ToneEngine()
    cache = PromptCache(engine, tmp_path / "cache")
    [case] = cases(1)
    with pytest.raises(PromptsNotReady) as raised:
        media_for(cache, script, case)
    assert engine.texts == []  # looking up never synthesises
    assert len(raised.value.missing) == len(prompt_items(script, case))

    render_cases(cache, [(script, case)])
    media = media_for(cache, script, case)
    assert set(media) == set(prompt_items(script, case))
    for uri in media.values():
        assert Path(uri.removeprefix("sound:") + ".wav").is_file()


def test_a_recorded_prompt_is_found_once_converted(tmp_path: Path) -> None:
    from tests.telephony.prompts.helpers import write_tone

    recorded = tmp_path / "recorded"
    recorded.mkdir()
    write_tone(recorded / "message.invalid.wav", 0.3)
    script = load_script(SCRIPT)
    [case] = cases(1)
    render_cases(PromptCache(ToneEngine(), tmp_path / "cache", recorded), [(script, case)])
    # another process (a fresh cache) finds the converted recording without converting
    other = PromptCache(ToneEngine(), tmp_path / "cache", recorded)
    goodbye = next(t for t, p in prompt_items(script, case).items() if p == "message.invalid")
    found = other.find(goodbye, "message.invalid")
    assert found is not None and found.parent.name == "recorded"


async def test_a_call_whose_prompts_are_missing_is_held_back(
    ledger: Ledger, tmp_path: Path
) -> None:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "F-9", "城区市场监管所", "王伟", "13900000009", "企业变更登记", date(2026, 10, 9)
    )
    case = ledger.case_info(case_id)
    router = EventRouter()
    ari = DyingAri(router, ["1"])
    engine = ToneEngine()
    call_deps = dataclasses.replace(
        deps(ledger, ari, router, tmp_path), prompts=PromptCache(engine, tmp_path / "cache")
    )
    controller = Controller(call_deps)

    with pytest.raises(PromptsNotReady):
        await controller.place(case, attempt_id="held-1")
    assert ari.channel == ""  # never dialled
    assert engine.texts == []  # nothing synthesised on the way
    assert LedgerReader(ledger.sessions).taizhang(attempt_ids=["held-1"]) == []
    assert await controller.slots.in_use() == 0
