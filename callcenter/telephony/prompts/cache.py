"""Prompts rendered once, kept as telephone WAV files Asterisk can play.

A prompt is either spoken by the TTS engine or, when someone has recorded it, taken
from ``recorded_dir/approved/<text_key>.wav`` (approved on the prompts page, already in
telephone format) or ``recorded_dir/<prompt_id>.(wav|flac|ogg|mp3)``. Both of the latter
are converted to telephone
format once and found again by a content hash, so renders are cheap after the first and a
replaced recording takes effect on the next render. A synthesised text that contains a
recorded phrase (a unit or matter name, see ``phrases``) is spoken in pieces, the phrase
by its recording, and found again by the pieces' keys.

Several calls may render the same prompt at once, in threads of one process or in
several processes: every file appears by an atomic rename, and a striped lock stops
threads of one process from synthesising the same prompt twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from pathlib import Path

from callcenter.kernel.errors import PromptError
from callcenter.telephony.prompts._folder import Folder
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts.audio import to_telephone
from callcenter.telephony.prompts.phrases import PHRASES_FILE, PhraseIndex, join_wavs, split
from callcenter.telephony.prompts.tts import TtsEngine, get_engine

log = logging.getLogger(__name__)

# Preferred first when several exist: lossless before lossy.
RECORDING_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
# Bump when to_telephone's output changes, so cached files are made again.
AUDIO_REVISION = "1"

# Under recorded_dir: approved recordings, by text_key.
APPROVED_DIR = "approved"
# Under cache_dir: synthesised texts with recorded phrases in them.
SPLICED_DIR = "spliced"
_PROMPT_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_TEMP_PREFIX = ".tmp-"
# Asterisk runs as another user and must be able to read what we write.
_FILE_MODE = 0o644
_DIR_MODE = 0o755
_LOCK_STRIPES = 64
_KNOWN_TEXTS = 10_000
# A file used this recently is not touched again: ``prune`` takes only files unused for
# far longer, and every call would otherwise write the times of its few dozen prompts.
_TOUCH_AGAIN_S = 60.0


@lru_cache(maxsize=10_000)
def text_key(text: str) -> str:
    """What a recording of ``text`` is filed under: the hash of its spoken form, so a
    recording follows the words, not the prompt id, and a reworded prompt loses it."""
    return _sha256(normalize(text).encode())


def media_uri(path: Path) -> str:
    """The ARI media URI for a sound file: ``sound:`` and its absolute path, no extension."""
    if not path.is_absolute():
        raise PromptError(f"Asterisk needs an absolute path to play {path}")
    return "sound:" + str(path.with_suffix(""))


class PromptCache:
    def __init__(self, engine: TtsEngine, cache_dir: Path, recorded_dir: Path | None = None):
        self.engine = engine
        self.cache_dir = cache_dir.resolve()
        self.recorded_dir = recorded_dir.resolve() if recorded_dir is not None else None
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        # Every call renders every prompt, so re-hashing unchanged recordings each time
        # would add up; a replaced or rewritten file has a new inode, size or mtime.
        self._recording_keys: dict[tuple[Path, int, int, int], str] = {}
        # Every call looks up its few dozen texts before dialling; normalising and
        # hashing them each time would cost more than the lookup.
        self._tts_files: dict[str, tuple[str, str, Path]] = {}
        self._phrases = PhraseIndex(
            self.recorded_dir / PHRASES_FILE if self.recorded_dir is not None else None
        )
        self._splits: dict[str, list[tuple[str, bool]] | None] = {}
        self._split_by: tuple[str, ...] = ()
        recorded = self.recorded_dir
        self._approved_files = Folder(recorded / APPROVED_DIR) if recorded else None
        self._recorded_files = Folder(recorded) if recorded else None
        self._touched: dict[Path, float] = {}

    media_uri = staticmethod(media_uri)

    @classmethod
    def at(cls, prompts_dir: Path, engine: str) -> PromptCache:
        """The cache under ``prompts_dir`` (``cache/``, and ``recorded/`` for human
        recordings), rendering with the TTS engine named ``engine``."""
        return cls(get_engine(engine), prompts_dir / "cache", prompts_dir / "recorded")

    def render(self, text: str, prompt_id: str | None = None) -> Path:
        """Absolute path of the telephone WAV for this prompt, made if not cached yet.

        An approved recording of these words wins, then a recording of ``prompt_id``,
        then the TTS (with the recorded phrases it contains in their recordings).
        """
        approved = self.approved(text)
        if approved is not None:
            return approved
        if prompt_id is not None:
            recording = self._recording(prompt_id)
            if recording is not None:
                return self._render_recording(prompt_id, recording)
        spliced = self._spliced(text)
        if spliced is not None:
            return self._render_spliced(*spliced)
        spoken, key, dst = self._tts_file(text, prompt_id)
        return self._make_once(key, dst, lambda tmp: self._synthesize(spoken, tmp, key))

    def find(self, text: str, prompt_id: str | None = None) -> Path | None:
        """The file ``render`` would return if it is made already, else None; never
        renders, so a call about to be placed can check its prompts without waiting."""
        approved = self.approved(text)
        if approved is not None:
            return approved
        if prompt_id is not None:
            recording = self._recording(prompt_id)
            if recording is not None:
                _, dst = self._recording_file(prompt_id, recording)
                return dst if self._touch(dst) else None
        spliced = self._spliced(text)
        if spliced is not None:
            dst = spliced[1]
            return dst if self._touch(dst) else None
        _, _, dst = self._tts_file(text, prompt_id)
        return dst if self._touch(dst) else None

    def _tts_file(self, text: str, prompt_id: str | None) -> tuple[str, str, Path]:
        """The spoken form of ``text``, its cache key and where its file goes."""
        known = self._tts_files.get(text)
        if known is not None:
            return known
        spoken = normalize(text)
        if not spoken:
            raise PromptError(f"prompt {prompt_id or text!r} has no text to speak")
        key = _sha256(f"{self.engine.cache_tag}\n{AUDIO_REVISION}\n{spoken}".encode())
        found = (spoken, key, self.cache_dir / "tts" / f"{key}.wav")
        if len(self._tts_files) >= _KNOWN_TEXTS:
            self._tts_files.clear()  # names and dates pass; the fixed texts come back
        self._tts_files[text] = found
        return found

    def render_many(self, items: Iterable[tuple[str, str | None]], workers: int = 2) -> list[Path]:
        """Render ``(text, prompt_id)`` pairs in ``workers`` threads; paths in input order."""
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prompt") as pool:
            return list(pool.map(lambda item: self.render(*item), items))

    def prune(self, older_than_s: float) -> int:
        """Delete cached files not rendered for ``older_than_s`` seconds; return how many.

        Per-call prompts (names, dates) are used once, so without pruning the cache only
        grows. A file about to be played was rendered moments ago and is never this old.
        """
        cutoff = time.time() - older_than_s
        self._touched.clear()
        removed = 0
        for path in self.cache_dir.glob("*/*.wav"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # pruned by another process meanwhile
        return removed

    # -- recordings ----------------------------------------------------------

    def approved(self, text: str) -> Path | None:
        """The approved recording of these words (``callcenter.prompts`` puts it there,
        already in telephone format), if there is one."""
        if self._approved_files is None:
            return None
        name = f"{text_key(text)}.wav"
        return self._approved_files.path / name if name in self._approved_files.names() else None

    def _recording(self, prompt_id: str) -> Path | None:
        if not _PROMPT_ID.match(prompt_id):
            raise PromptError(
                f"prompt id {prompt_id!r} is not a plain file name "
                "(letters, digits, '_', '-', '.', not starting with '.')"
            )
        if self._recorded_files is None:
            return None
        names = self._recorded_files.names()
        for name in (f"{prompt_id}{suffix}" for suffix in RECORDING_SUFFIXES):
            if name in names:
                return self._recorded_files.path / name
        return None

    def _render_recording(self, prompt_id: str, recording: Path) -> Path:
        key, dst = self._recording_file(prompt_id, recording)
        return self._make_once(key, dst, lambda tmp: to_telephone(recording, tmp))

    def _recording_file(self, prompt_id: str, recording: Path) -> tuple[str, Path]:
        """The content key of a human recording and where its telephone copy goes."""
        stat = recording.stat()
        identity = (recording, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        key = self._recording_keys.get(identity)
        if key is None:
            key = self._recording_keys[identity] = _file_sha256(recording)
        return key, self.cache_dir / "recorded" / f"{prompt_id}-{key[:24]}.wav"

    # -- recorded phrases inside synthesised texts ------------------------------

    def _spliced(self, text: str) -> tuple[str, Path, list[tuple[str, Path | None]]] | None:
        """For a text containing recorded phrases: its key, its file, and its pieces (a
        phrase with its recording, a spoken piece with None); else None."""
        phrases = self._phrases.texts()
        if not phrases:
            return None
        if phrases is not self._split_by:
            self._splits, self._split_by = {}, phrases
        if text not in self._splits:
            if len(self._splits) >= _KNOWN_TEXTS:
                self._splits.clear()
            self._splits[text] = split(text, phrases)
        pieces = self._splits[text]
        if pieces is None:
            return None
        digest = hashlib.sha256(f"{self.engine.cache_tag}\n{AUDIO_REVISION}".encode())
        made: list[tuple[str, Path | None]] = []
        for piece, is_phrase in pieces:
            recording = self.approved(piece) if is_phrase else None
            if recording is not None:
                # a newly approved take of the phrase is a new file: a new prompt
                st = recording.stat()
                digest.update(f"\nR{text_key(piece)}:{st.st_mtime_ns}:{st.st_size}".encode())
            else:
                digest.update(f"\nS{self._tts_file(piece, None)[1]}".encode())
            made.append((piece, recording))
        key = digest.hexdigest()
        return key, self.cache_dir / SPLICED_DIR / f"{key}.wav", made

    def _render_spliced(self, key: str, dst: Path, pieces: list[tuple[str, Path | None]]) -> Path:
        if self._touch(dst):
            return dst
        files = []
        for piece, recording in pieces:
            if recording is None:
                spoken, piece_key, piece_dst = self._tts_file(piece, None)
                make = partial(self._synthesize_to, spoken, piece_key)
                recording = self._make_once(piece_key, piece_dst, make)
            files.append(recording)
        return self._make_once(key, dst, lambda tmp: join_wavs(files, tmp))

    # -- making files --------------------------------------------------------

    def _make_once(self, key: str, dst: Path, make: Callable[[Path], None]) -> Path:
        if self._touch(dst):
            return dst
        with self._locks[int(key[:8], 16) % _LOCK_STRIPES]:
            if self._touch(dst):  # made by another thread while we waited
                return dst
            _make_dir(dst.parent)
            fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".wav", dir=dst.parent)
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                make(tmp)
                tmp.chmod(_FILE_MODE)
                os.replace(tmp, dst)
            finally:
                tmp.unlink(missing_ok=True)
        return dst

    def _touch(self, path: Path) -> bool:
        """Whether ``path`` exists, marking it as used so ``prune`` keeps it."""
        now = time.monotonic()
        if now - self._touched.get(path, -_TOUCH_AGAIN_S) < _TOUCH_AGAIN_S:
            return True
        if not _touch(path):
            return False
        if len(self._touched) >= _KNOWN_TEXTS:
            self._touched.clear()
        self._touched[path] = now
        return True

    def _synthesize_to(self, text: str, key: str, out: Path) -> None:
        self._synthesize(text, out, key)

    def _synthesize(self, text: str, out: Path, key: str) -> None:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX, dir=out.parent) as work:
            raw = Path(work) / "engine.wav"
            self.engine.synthesize(text, raw)
            to_telephone(raw, out)
        # Key and length only: per-call prompts carry the applicant's name and case.
        log.info(
            "synthesised prompt %s (%d characters) with %s in %.0f ms",
            key[:12],
            len(text),
            self.engine.name,
            (time.perf_counter() - started) * 1000,
        )


def _make_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(_DIR_MODE)  # whatever the umask, Asterisk must get in


def _touch(path: Path) -> bool:
    """Whether ``path`` exists, marking it as used so ``prune`` keeps it."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except PermissionError:
        return path.exists()  # someone else's file: usable, just not ours to touch
    return True


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256(AUDIO_REVISION.encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
