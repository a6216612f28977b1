"""Recorded prompts: uploaded, checked by transcribing back, approved (live) or rejected."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.script import load_script
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import PromptError
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.service import RECORDED, PromptService
from callcenter.prompts.store import RecordingStore
from callcenter.prompts.tables import APPROVED, PENDING, REJECTED, REPLACED
from callcenter.settings import PROJECT_ROOT
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import get_engine
from tests.telephony.prompts.helpers import read_wav, write_tone

SCRIPTS = [load_script(PROJECT_ROOT / "ivr_scripts" / n) for n in ("yima_revisit.yaml",)]
KEYS = "满意请按1，不满意请按2。"


class Ears:
    name = "ears"

    def __init__(self) -> None:
        self.hears = "满意请按一不满意请按二"
        self.loads = 0

    def transcribe(self, wav: Path) -> str:
        return self.hears


@pytest.fixture
def ears() -> Ears:
    return Ears()


@pytest.fixture
def service(ledger: Ledger, tmp_path: Path, ears: Ears) -> PromptService:
    def load() -> Ears:
        ears.loads += 1
        return ears

    storage = tmp_path / "storage"
    return PromptService(
        RecordingStore(ledger.sessions, FixedClock(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))),
        lambda: SCRIPTS,
        load,
        PromptSettings(cer_warning=0.2),
        storage,
        storage / "prompts" / "recorded",
        "espeak-pinyin",
    )


def _mp3(tmp_path: Path, name: str = "take.mp3") -> Path:
    wav = write_tone(tmp_path / "take.wav", 1.5, rate=44100, channels=2, dbfs=-30)
    mp3 = tmp_path / name
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), str(mp3)], check=True
    )
    return mp3


def test_listing_says_who_speaks_each_prompt(service: PromptService) -> None:
    rows = {r.prompt.prompt_id: r for r in service.listing()}
    assert rows["satisfied.keys"].source == "espeak-pinyin"
    assert rows["satisfied.keys"].prompt.text == KEYS
    assert rows["greeting"].prompt.per_call


def test_an_mp3_becomes_a_telephone_wav_checked_against_its_text(
    service: PromptService, tmp_path: Path
) -> None:
    v = service.upload("yima_revisit", "satisfied.keys", _mp3(tmp_path), "take.mp3", "boss")
    assert (v.version, v.status, v.cer, v.heard) == (1, PENDING, 0.0, "满意请按一不满意请按二")
    wav = service.storage_root / v.path
    info = read_wav(wav)
    assert (info.rate, info.channels, info.sample_width) == (8000, 1, 2)
    assert round(info.rms_dbfs) in range(-20, -12)  # levelled like every prompt (-16)
    assert 1.4 < v.seconds < 1.8
    assert not service.warns(v)
    # not live before approval
    assert [r.source for r in service.listing() if r.prompt.prompt_id == "satisfied.keys"] == [
        "espeak-pinyin"
    ]


def test_a_recording_that_does_not_say_its_text_is_flagged(
    service: PromptService, ears: Ears, tmp_path: Path
) -> None:
    ears.hears = "满意请按一"
    v = service.upload("yima_revisit", "satisfied.keys", _mp3(tmp_path), "take.mp3", "boss")
    assert v.cer == pytest.approx(6 / 11)
    assert service.warns(v)


def test_approval_makes_it_live_and_the_next_approval_replaces_it(
    service: PromptService, tmp_path: Path
) -> None:
    cache = PromptCache(get_engine("espeak-pinyin"), tmp_path / "cache", service.recorded_dir)
    first = service.upload("yima_revisit", "satisfied.keys", _mp3(tmp_path), "a.mp3", "boss")
    second = service.upload("yima_revisit", "satisfied.keys", _mp3(tmp_path), "b.mp3", "boss")
    assert second.version == 2
    service.approve(first.id, "chief")
    played = cache.render(KEYS, "satisfied.keys")
    assert played.read_bytes() == (service.storage_root / first.path).read_bytes()
    assert cache.find(KEYS, "satisfied.keys") == played
    [row] = [r for r in service.listing() if r.prompt.prompt_id == "satisfied.keys"]
    assert (row.source, row.live and row.live.version, row.pending and row.pending.version) == (
        RECORDED,
        1,
        2,
    )

    service.approve(second.id, "chief")
    statuses = {v.version: v.status for v in service.versions(row.prompt)}
    assert statuses == {1: REPLACED, 2: APPROVED}
    assert cache.render(KEYS).read_bytes() == (service.storage_root / second.path).read_bytes()
    # a replaced version can be put back
    service.approve(first.id, "chief")
    assert cache.render(KEYS).read_bytes() == (service.storage_root / first.path).read_bytes()


def test_rejected_versions_never_play(service: PromptService, tmp_path: Path) -> None:
    v = service.upload("yima_revisit", "satisfied.keys", _mp3(tmp_path), "a.mp3", "boss")
    assert service.reject(v.id, "chief").status == REJECTED
    with pytest.raises(PromptError, match="only a pending one"):
        service.reject(v.id, "chief")
    assert not (service.recorded_dir / "approved").exists()


def test_per_call_prompts_and_non_audio_are_refused(service: PromptService, tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="each case's own details"):
        service.upload("yima_revisit", "greeting", _mp3(tmp_path), "a.mp3", "boss")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(PromptError, match="not an audio file"):
        service.upload("yima_revisit", "satisfied.keys", text, "notes.txt", "boss")
    with pytest.raises(PromptError, match="has no prompt 'nope'"):
        service.upload("yima_revisit", "nope", _mp3(tmp_path), "a.mp3", "boss")
    silent = write_tone(tmp_path / "silent.wav", 1.0, dbfs=-90)
    with pytest.raises(PromptError, match="silent"):
        service.upload("yima_revisit", "satisfied.keys", silent, "silent.wav", "boss")
