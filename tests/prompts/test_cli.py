"""``callcenter prompts render``: every fixed prompt rendered, with who speaks it."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from callcenter.entrypoints.cli import app
from callcenter.interview.script import load_script
from callcenter.prompts.catalogue import catalogue
from callcenter.settings import PROJECT_ROOT
from callcenter.telephony.prompts.audio import to_telephone
from callcenter.telephony.prompts.cache import text_key
from tests.telephony.prompts.helpers import write_tone

REVISIT = PROJECT_ROOT / "ivr_scripts" / "yima_revisit.yaml"


def test_catalogue_tells_fixed_prompts_from_per_call_ones() -> None:
    prompts = {p.prompt_id: p for p in catalogue([load_script(REVISIT)])}
    assert prompts["greeting"].per_call  # carries the applicant's name
    assert prompts["satisfied"].per_call  # and the unit
    closing = prompts["closing.2"]
    assert not closing.per_call
    assert closing.text is not None and "{" not in closing.text  # the script's defaults
    assert prompts["satisfied.keys"].text == "满意请按1，不满意请按2。"


def test_render_names_the_engine_or_the_recording(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copyfile(REVISIT, scripts / REVISIT.name)
    storage = tmp_path / "storage"
    (storage / "prompts" / "recorded").mkdir(parents=True)
    write_tone(storage / "prompts" / "recorded" / "satisfied.keys.wav", 1.0, dbfs=-20)
    result = CliRunner().invoke(
        app,
        ["prompts", "render", "--scripts", str(scripts), "--engine", "espeak-pinyin"],
        env={"CALLCENTER_STORAGE_ROOT": str(storage)},
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[2].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "recorded" in lines["satisfied.keys"]
    assert "espeak-pinyin" in lines["closing.2"]
    assert "espeak-pinyin, per call" in lines["greeting"]
    cached = list((storage / "prompts" / "cache" / "tts").glob("*.wav"))
    assert len(cached) >= 5  # one file per fixed prompt spoken by the engine


def test_render_names_an_approved_recording_as_recorded(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copyfile(REVISIT, scripts / REVISIT.name)
    storage = tmp_path / "storage"
    approved = storage / "prompts" / "recorded" / "approved"
    approved.mkdir(parents=True)
    # where the prompts page publishes an approved version of these words
    to_telephone(
        write_tone(tmp_path / "take.wav", 1.0, dbfs=-20),
        approved / f"{text_key('满意请按1，不满意请按2。')}.wav",
    )
    result = CliRunner().invoke(
        app,
        ["prompts", "render", "--scripts", str(scripts), "--engine", "espeak-pinyin"],
        env={"CALLCENTER_STORAGE_ROOT": str(storage)},
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[2].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "recorded" in lines["satisfied.keys"]
    assert "recorded" not in lines["closing.2"]
