"""Unit and matter names: listed from the cases, recorded like fixed prompts, and once
approved spoken by their recording inside the synthesised per-call prompt."""

from __future__ import annotations

import wave
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.script import load_script
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import PromptError
from callcenter.prompts.catalogue import PARTS
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.service import RECORDED, PromptService
from callcenter.prompts.store import RecordingStore
from callcenter.settings import PROJECT_ROOT
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.phrases import PHRASES_FILE, split
from tests.telephony.prompts.helpers import ToneEngine, write_tone

SCRIPTS = [load_script(PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml")]
STATION, OTHER = "城区市场监管所", "东区市场监管所"
MATTER = "个体工商户设立登记"
# the consent's first sentence, as a case of STATION fills it in
SAID = f"您于2026年10月9日在市场监管局{STATION}办理{MATTER}事项，"


class Ears:
    name = "ears"

    def transcribe(self, wav: Path) -> str:
        return STATION


@pytest.fixture
def service(ledger: Ledger, tmp_path: Path) -> PromptService:
    for n, unit in enumerate([STATION, STATION, OTHER]):
        ledger.upsert_unit(unit, "station")
        ledger.add_case(f"P-{n}", unit, "王伟", f"1390000000{n}", MATTER, date(2026, 10, 9))
    storage = tmp_path / "storage"
    return PromptService(
        RecordingStore(ledger.sessions, FixedClock(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))),
        lambda: SCRIPTS,
        Ears,
        PromptSettings(),
        storage,
        storage / "prompts" / "recorded",
        "espeak-pinyin",
    )


@pytest.fixture
def cache(service: PromptService, tmp_path: Path) -> PromptCache:
    return PromptCache(ToneEngine(), tmp_path / "cache", service.recorded_dir)


def _frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


def _part(service: PromptService, text: str) -> str:
    [row] = [r for r in service.parts() if r.prompt.text == text]
    return row.prompt.prompt_id


def test_the_cases_units_and_matters_are_listed_most_cases_first(service: PromptService) -> None:
    rows = service.parts()
    assert [r.prompt.text for r in rows] == [STATION, OTHER, MATTER]
    assert {r.prompt.script_id for r in rows} == {PARTS}
    assert [r.prompt.prompt_id.split("-")[0] for r in rows] == ["unit", "unit", "matter"]
    assert {r.source for r in rows} == {"espeak-pinyin"}
    found = service.prompt(PARTS, rows[0].prompt.prompt_id)
    assert found.text == STATION and not found.per_call
    with pytest.raises(PromptError, match="no case has"):
        service.prompt(PARTS, "unit-000000000000")


def test_an_approved_unit_is_spoken_by_its_recording_inside_the_per_call_prompt(
    service: PromptService, cache: PromptCache, tmp_path: Path
) -> None:
    before = cache.render(SAID, "consent.1")
    assert before.parent.name == "tts"  # not recorded yet: the engine says all of it

    take = write_tone(tmp_path / "station.wav", 1.2, rate=16000, channels=1, dbfs=-20, hz=300)
    unit_id = _part(service, STATION)
    version = service.upload(PARTS, unit_id, take, "station.wav", "boss")
    assert cache.render(SAID, "consent.1") == before  # pending: still the engine
    service.approve(version.id, "chief")

    engine = cache.engine
    assert isinstance(engine, ToneEngine)
    engine.texts.clear()
    spliced = cache.render(SAID, "consent.1")
    assert spliced.parent.name == "spliced"
    recorded = service.storage_root / version.path
    # the recording's samples as they are, between the engine's pieces
    assert _frames(recorded) in _frames(spliced)
    spoken = "".join(engine.texts)
    assert STATION not in spoken and MATTER in spoken and "市场监管局" in spoken
    assert cache.find(SAID, "consent.1") == spliced
    # the recorded name alone is its recording; other texts are not touched
    assert cache.render(STATION) == service.recorded_dir / "approved" / f"{version.text_key}.wav"
    assert cache.render("非常感谢您的支持！").parent.name == "tts"
    [row] = [r for r in service.parts() if r.prompt.text == STATION]
    assert (row.source, row.live and row.live.version) == (RECORDED, 1)


def test_a_newly_approved_take_makes_a_new_prompt_file(
    service: PromptService, cache: PromptCache, tmp_path: Path
) -> None:
    unit_id, matter_id = _part(service, STATION), _part(service, MATTER)
    first = write_tone(tmp_path / "a.wav", 1.0, rate=16000, channels=1, dbfs=-20, hz=300)
    second = write_tone(tmp_path / "b.wav", 1.5, rate=16000, channels=1, dbfs=-20, hz=500)
    service.approve(service.upload(PARTS, unit_id, first, "a.wav", "boss").id, "chief")
    old = cache.render(SAID)
    v2 = service.upload(PARTS, unit_id, second, "b.wav", "boss")
    service.approve(v2.id, "chief")
    assert cache.find(SAID) is None  # to be rendered again before a call uses it
    new = cache.render(SAID)
    assert new != old and _frames(service.storage_root / v2.path) in _frames(new)
    # both names recorded: the engine speaks only what lies around them
    matter = write_tone(tmp_path / "m.wav", 1.0, rate=16000, channels=1, dbfs=-20, hz=700)
    service.approve(service.upload(PARTS, matter_id, matter, "m.wav", "boss").id, "chief")
    both = cache.render(SAID)
    index = (service.recorded_dir / PHRASES_FILE).read_text(encoding="utf-8")
    assert STATION in index and MATTER in index
    assert _frames(service.storage_root / v2.path) in _frames(both)


def test_split_takes_the_longest_name_and_drops_bare_punctuation() -> None:
    phrases = ("城区市场监管所", "城区", MATTER)
    assert split("您在城区市场监管所办理个体工商户设立登记，", phrases) == [
        ("您在", False),
        ("城区市场监管所", True),
        ("办理", False),
        (MATTER, True),
    ]
    assert split("城区的", phrases) == [("城区", True), ("的", False)]
    assert split("没有名称", phrases) is None
