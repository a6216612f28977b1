"""Recorded prompts: upload, check by transcribing back, approve (goes live) or reject.

An upload (any format ffmpeg reads: WAV, MP3, …) is converted to the telephone format
and levelled like every prompt (``to_telephone``), kept as a new version of its text,
and transcribed back; its character error rate against the text is stored, and a
recording above ``cer_warning`` is flagged so the supervisor listens before approving.
Approving publishes the file where the prompt cache looks first, so the next render of
those words plays the person instead of the TTS. A take recorded by phone (``phone``)
is kept exactly like an upload.

The unit and matter names of the cases (``parts``) are recorded the same way; approving
one also lists it among the phrases the cache speaks by recording inside the
synthesised per-call prompts.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from callcenter.interview.script import Script
from callcenter.kernel.errors import CallcenterError, PromptError
from callcenter.prompts.catalogue import PARTS, Prompt, catalogue, parts
from callcenter.prompts.config import PromptSettings
from callcenter.prompts.store import NewVersion, RecordingStore, Version
from callcenter.prompts.tables import APPROVED
from callcenter.telephony.prompts._normalize import normalize
from callcenter.telephony.prompts.audio import duration_seconds, to_telephone
from callcenter.telephony.prompts.cache import APPROVED_DIR, text_key
from callcenter.telephony.prompts.phrases import PHRASES_FILE, write_index
from callcenter.transcription.cer import score
from callcenter.transcription.engine import Transcriber

log = logging.getLogger(__name__)

RECORDED = "recorded"
_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".flac", ".aac", ".amr")
_FILE_MODE = 0o644


@dataclass(frozen=True)
class Listed:
    prompt: Prompt
    source: str  # recorded, or the TTS engine's name; "per call" ones keep the engine
    live: Version | None
    pending: Version | None


class PromptService:
    def __init__(
        self,
        store: RecordingStore,
        scripts: Callable[[], Iterable[Script]],
        transcriber: Callable[[], Transcriber],
        settings: PromptSettings,
        storage_root: Path,
        recorded_dir: Path,
        engine_name: str,
    ) -> None:
        self.store = store
        self._scripts = scripts
        self._transcriber = transcriber
        self.settings = settings
        self.storage_root = storage_root
        self.recorded_dir = recorded_dir
        self.engine_name = engine_name

    def listing(self) -> list[Listed]:
        """Every prompt of every script, with who speaks it now and any pending version."""
        return self._listed(catalogue(self._scripts()))

    def parts(self) -> list[Listed]:
        """The unit and matter names of the cases, as recordable as fixed prompts."""
        return self._listed(self._parts())

    def _parts(self) -> Iterable[Prompt]:
        units, matters = self.store.case_parts(self.settings.parts_limit)
        return parts(units, matters)

    def _listed(self, prompts: Iterable[Prompt]) -> list[Listed]:
        latest = self.store.latest()
        rows = []
        for prompt in prompts:
            versions = latest.get(text_key(prompt.text), []) if prompt.text else []
            live = next((v for v in versions if v.status == APPROVED), None)
            pending = next((v for v in versions if v.status != APPROVED), None)
            source = RECORDED if live is not None else self.engine_name
            rows.append(Listed(prompt, source, live, pending))
        return rows

    def prompt(self, script_id: str, prompt_id: str) -> Prompt:
        found = self._parts() if script_id == PARTS else catalogue(self._scripts())
        for p in found:
            if (p.script_id, p.prompt_id) == (script_id, prompt_id):
                return p
        if script_id == PARTS:
            raise PromptError(f"no case has the unit or matter {prompt_id!r} (any more)")
        raise PromptError(f"script {script_id!r} has no prompt {prompt_id!r}")

    def versions(self, prompt: Prompt) -> list[Version]:
        return self.store.versions(text_key(prompt.text)) if prompt.text else []

    def upload(self, script_id: str, prompt_id: str, upload: Path, name: str, by: str) -> Version:
        """Keep ``upload`` as the next version of the prompt's words, checked by ear."""
        prompt = self.prompt(script_id, prompt_id)
        if prompt.text is None:
            raise PromptError(
                f"{script_id}/{prompt_id} is said with each case's own details; "
                "only fixed prompts are recorded"
            )
        suffix = Path(name).suffix.lower()
        if suffix not in _SUFFIXES:
            raise PromptError(f"{name}: not an audio file ({', '.join(_SUFFIXES)})")
        key = text_key(prompt.text)
        version = self.store.next_version(key)
        folder = self.recorded_dir / "versions" / key[:16]
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"v{version}-{os.getpid()}"
        original = folder / f"{stem}-original{suffix}"
        shutil.copyfile(upload, original)
        wav = folder / f"{stem}.wav"
        to_telephone(original, wav)  # PromptError if it is not audio or is silent
        wav.chmod(_FILE_MODE)
        heard = self._hear(wav)
        cer = score(_spoken(prompt.text), _spoken(heard)).cer if heard else 1.0
        new = NewVersion(
            text_key=key,
            script_id=script_id,
            prompt_id=prompt_id,
            text=prompt.text,
            path=str(wav.relative_to(self.storage_root)),
            original_name=name[:256],
            seconds=round(duration_seconds(wav), 2),
            heard=heard,
            cer=cer,
            uploaded_by=by,
        )
        added = self.store.add(new, version)
        log.info(
            "prompt %s/%s: version %d uploaded (CER %.0f%%)",
            script_id,
            prompt_id,
            version,
            cer * 100,
        )
        return added

    def record_take(
        self, script_id: str, prompt_id: str, take: Path, phone: str, by: str
    ) -> Version:
        """Keep a take recorded by phone as the next version, exactly like an upload."""
        return self.upload(script_id, prompt_id, take, f"话机 {phone} 录音.wav", by)

    def warns(self, version: Version) -> bool:
        return version.cer > self.settings.cer_warning

    def approve(self, recording_id: int, by: str) -> Version:
        """Make the version live: the prompt cache plays it from the next render on."""
        version, _ = self.store.approve(recording_id, by)
        live = self.recorded_dir / APPROVED_DIR / f"{version.text_key}.wav"
        live.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".wav", dir=live.parent)
        os.close(fd)
        try:
            shutil.copyfile(self.storage_root / version.path, tmp)
            os.chmod(tmp, _FILE_MODE)
            os.replace(tmp, live)  # a call rendering meanwhile gets the old file or the new
        finally:
            Path(tmp).unlink(missing_ok=True)
        if version.script_id == PARTS:
            # after the file: a render that finds the name listed finds its recording
            write_index(self.recorded_dir / PHRASES_FILE, self.store.approved_texts(PARTS))
        return version

    def reject(self, recording_id: int, by: str) -> Version:
        return self.store.reject(recording_id, by)

    def audio(self, recording_id: int) -> Path:
        return self.storage_root / self.store.get(recording_id).path

    def _hear(self, wav: Path) -> str:
        try:
            return self._transcriber().transcribe(wav)
        except CallcenterError as exc:  # no engine here: the check is missing, not the upload
            log.warning("could not transcribe the recording %s back: %s", wav, exc)
            return ""


def _spoken(text: str) -> str:
    return normalize(text).replace("幺", "一")
