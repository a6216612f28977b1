import os
import subprocess
import time
from pathlib import Path

import pytest

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts.cache import PromptCache, media_uri
from callcenter.telephony.prompts.tts import get_engine

from .helpers import CountingEngine, ToneEngine, read_wav, write_tone


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "recorded"
    path.mkdir()
    return path


def test_second_render_of_the_same_text_does_no_synthesis(tmp_path: Path) -> None:
    engine = CountingEngine(get_engine("espeak-pinyin"))
    cache = PromptCache(engine, tmp_path / "cache")
    first = cache.render("请问您现在方便接听电话吗？")
    second = cache.render("请问您现在方便接听电话吗？")
    assert first == second
    assert engine.calls == 1
    assert first.is_absolute() and first.suffix == ".wav"
    out = read_wav(first)
    assert (out.rate, out.channels, out.sample_width) == (8000, 1, 2)


def test_texts_that_read_the_same_share_one_file(tmp_path: Path) -> None:
    engine = ToneEngine()
    cache = PromptCache(engine, tmp_path / "cache")
    assert cache.render("满意请按1") == cache.render("满意请按 一")
    assert engine.texts == ["满意请按一"]


def test_a_new_cache_on_the_same_directory_finds_earlier_renders(tmp_path: Path) -> None:
    first = PromptCache(ToneEngine(), tmp_path / "cache").render("您好")
    engine = ToneEngine()
    assert PromptCache(engine, tmp_path / "cache").render("您好") == first
    assert engine.texts == []


def test_media_uri_is_the_absolute_path_without_extension(tmp_path: Path) -> None:
    path = PromptCache(ToneEngine(), tmp_path / "cache").render("您好")
    assert media_uri(path) == f"sound:{path.parent}/{path.stem}"
    assert PromptCache.media_uri(path) == media_uri(path)
    with pytest.raises(PromptError, match="absolute"):
        media_uri(Path("prompts/hello.wav"))


def test_recording_is_used_instead_of_synthesis(tmp_path: Path, recorded: Path) -> None:
    engine = ToneEngine()
    cache = PromptCache(engine, tmp_path / "cache", recorded)
    write_tone(recorded / "greeting.wav", 2.0, rate=48000)
    path = cache.render("您好", "greeting")
    assert engine.texts == []
    assert read_wav(path).rate == 8000
    assert read_wav(path).seconds == pytest.approx(2.0, abs=0.05)
    # The same text without the id, or with an id nobody recorded, is synthesised.
    assert cache.render("您好") != path
    assert cache.render("您好", "not-recorded") != path
    assert engine.texts == ["您好"]


def test_replacing_a_recording_takes_effect(tmp_path: Path, recorded: Path) -> None:
    cache = PromptCache(ToneEngine(), tmp_path / "cache", recorded)
    write_tone(recorded / "closing.wav", 1.0)
    before = cache.render("再见", "closing")
    assert cache.render("再见", "closing") == before
    write_tone(recorded / "closing.wav", 3.0)
    after = cache.render("再见", "closing")
    assert after != before
    assert read_wav(after).seconds == pytest.approx(3.0, abs=0.05)


def test_compressed_recording_is_converted(tmp_path: Path, recorded: Path) -> None:
    wav = write_tone(tmp_path / "tone.wav", 1.0)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", wav, recorded / "consent.mp3"], check=True
    )
    path = PromptCache(ToneEngine(), tmp_path / "cache", recorded).render("", "consent")
    assert read_wav(path).rate == 8000


def test_lossless_recording_is_preferred(tmp_path: Path, recorded: Path) -> None:
    write_tone(tmp_path / "long.wav", 2.0)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", tmp_path / "long.wav", recorded / "hello.mp3"],
        check=True,
    )
    write_tone(recorded / "hello.wav", 1.0)
    path = PromptCache(ToneEngine(), tmp_path / "cache", recorded).render("", "hello")
    assert read_wav(path).seconds == pytest.approx(1.0, abs=0.05)


def test_unsafe_prompt_id_is_an_error_naming_it(tmp_path: Path, recorded: Path) -> None:
    cache = PromptCache(ToneEngine(), tmp_path / "cache", recorded)
    with pytest.raises(PromptError, match=r"'\.\./secret'"):
        cache.render("您好", "../secret")


def test_empty_text_without_a_recording_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="no text"):
        PromptCache(ToneEngine(), tmp_path / "cache").render("  ")


def test_concurrent_renders_synthesise_each_text_once(tmp_path: Path) -> None:
    engine = ToneEngine(delay=0.05)
    cache = PromptCache(engine, tmp_path / "cache")
    items = [("您好", None), ("再见", None)] * 4 + [("请按一", None)]
    paths = cache.render_many(items, workers=6)
    assert sorted(engine.texts) == sorted(["您好", "再见", "请按一"])
    assert paths[0] == paths[2] and paths[1] == paths[3] and paths[0] != paths[1]
    assert paths[-1] == cache.render("请按一")


def test_files_are_readable_by_asterisk_and_no_temporaries_remain(tmp_path: Path) -> None:
    cache = PromptCache(ToneEngine(), tmp_path / "cache")
    old_umask = os.umask(0o077)
    try:
        path = cache.render("您好")
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert path.parent.stat().st_mode & 0o777 == 0o755
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_failed_synthesis_leaves_nothing_behind_and_is_retried(tmp_path: Path) -> None:
    class Failing(ToneEngine):
        def synthesize(self, text: str, out: Path) -> None:
            out.write_bytes(b"half a file")
            raise PromptError("engine broke")

    with pytest.raises(PromptError, match="engine broke"):
        PromptCache(Failing(), tmp_path / "cache").render("您好")
    assert list((tmp_path / "cache").rglob("*")) == [tmp_path / "cache" / "tts"]
    assert PromptCache(ToneEngine(), tmp_path / "cache").render("您好").is_file()


def test_prune_removes_files_not_rendered_lately(tmp_path: Path) -> None:
    cache = PromptCache(ToneEngine(), tmp_path / "cache")
    old = cache.render("旧的")
    fresh = cache.render("新的")
    long_ago = time.time() - 3 * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(fresh, (long_ago, long_ago))
    cache.render("新的")  # a render marks the file as used
    assert cache.prune(older_than_s=86400) == 1
    assert not old.exists() and fresh.exists()
