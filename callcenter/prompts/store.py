"""The versions of each prompt's recordings: added, approved (one live per text), rejected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cases.tables import Case, Unit
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import PromptError
from callcenter.kernel.transaction import transaction
from callcenter.prompts.tables import APPROVED, PENDING, REJECTED, REPLACED, PromptRecording


@dataclass(frozen=True)
class Version:
    id: int
    text_key: str
    version: int
    script_id: str
    prompt_id: str
    text: str
    path: str
    original_name: str
    seconds: float
    heard: str
    cer: float
    status: str
    uploaded_by: str
    uploaded_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class NewVersion:
    text_key: str
    script_id: str
    prompt_id: str
    text: str
    path: str
    original_name: str
    seconds: float
    heard: str
    cer: float
    uploaded_by: str


class RecordingStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self.clock = clock

    def next_version(self, text_key: str) -> int:
        with transaction(self._sessions, "prompt_next_version") as s:
            top = s.scalar(
                select(func.max(PromptRecording.version)).where(
                    PromptRecording.text_key == text_key
                )
            )
            return (top or 0) + 1

    def add(self, new: NewVersion, version: int) -> Version:
        with transaction(self._sessions, "prompt_add_recording") as s:
            row = PromptRecording(
                **new.__dict__, version=version, status=PENDING, uploaded_at=self.clock.now()
            )
            s.add(row)
            s.flush()
            return _version(row)

    def approve(self, recording_id: int, by: str) -> tuple[Version, Version | None]:
        """Make this version the live one of its text; returns it and the one it replaced."""
        with transaction(self._sessions, "prompt_approve") as s:
            row = _row(s, recording_id, lock=True)
            if row.status == APPROVED:
                return _version(row), None
            live = s.scalars(
                select(PromptRecording)
                .where(PromptRecording.text_key == row.text_key, PromptRecording.status == APPROVED)
                .with_for_update()
            ).one_or_none()
            replaced = None
            now = self.clock.now()
            if live is not None:
                live.status = REPLACED
                replaced = _version(live)
            row.status, row.decided_by, row.decided_at = APPROVED, by, now
            s.flush()
            return _version(row), replaced

    def reject(self, recording_id: int, by: str) -> Version:
        with transaction(self._sessions, "prompt_reject") as s:
            row = _row(s, recording_id, lock=True)
            if row.status != PENDING:
                raise PromptError(
                    f"recording {recording_id} is {row.status}; only a pending one can be rejected"
                )
            row.status, row.decided_by, row.decided_at = REJECTED, by, self.clock.now()
            return _version(row)

    def get(self, recording_id: int) -> Version:
        with transaction(self._sessions, "prompt_recording") as s:
            return _version(_row(s, recording_id))

    def versions(self, text_key: str) -> list[Version]:
        """Every version of a text's recording, newest first."""
        with transaction(self._sessions, "prompt_versions") as s:
            rows = s.scalars(
                select(PromptRecording)
                .where(PromptRecording.text_key == text_key)
                .order_by(PromptRecording.version.desc())
            )
            return [_version(r) for r in rows]

    def latest(self) -> dict[str, list[Version]]:
        """Per text: its live version (if any) and its newest pending one (if any)."""
        with transaction(self._sessions, "prompt_latest") as s:
            rows = s.scalars(
                select(PromptRecording)
                .where(PromptRecording.status.in_((APPROVED, PENDING)))
                .order_by(PromptRecording.version.desc())
            )
            found: dict[str, list[Version]] = {}
            for r in rows:
                kept = found.setdefault(r.text_key, [])
                if all(v.status != r.status for v in kept):
                    kept.append(_version(r))
            return found

    def approved_texts(self, script_id: str) -> list[str]:
        """The texts with a live recording among those recorded under ``script_id``."""
        with transaction(self._sessions, "prompt_approved_texts") as s:
            rows = s.scalars(
                select(PromptRecording.text).where(
                    PromptRecording.script_id == script_id, PromptRecording.status == APPROVED
                )
            )
            return list(rows)

    def case_parts(self, limit: int) -> tuple[list[str], list[str]]:
        """The unit names and matter names the cases speak, most cases first."""
        with transaction(self._sessions, "prompt_case_parts") as s:
            units = s.scalars(
                select(Unit.name)
                .join(Case, Case.unit_id == Unit.id)
                .group_by(Unit.name)
                .order_by(func.count().desc(), Unit.name)
                .limit(limit)
            )
            matters = s.scalars(
                select(Case.matter)
                .group_by(Case.matter)
                .order_by(func.count().desc(), Case.matter)
                .limit(limit)
            )
            return list(units), list(matters)


def _row(s: Session, recording_id: int, lock: bool = False) -> PromptRecording:
    stmt = select(PromptRecording).where(PromptRecording.id == recording_id)
    if lock:
        stmt = stmt.with_for_update()
    row = s.scalars(stmt).one_or_none()
    if row is None:
        raise PromptError(f"there is no prompt recording {recording_id}")
    return row


def _version(r: PromptRecording) -> Version:
    return Version(
        id=r.id,
        text_key=r.text_key,
        version=r.version,
        script_id=r.script_id,
        prompt_id=r.prompt_id,
        text=r.text,
        path=r.path,
        original_name=r.original_name,
        seconds=r.seconds,
        heard=r.heard,
        cer=r.cer,
        status=r.status,
        uploaded_by=r.uploaded_by,
        uploaded_at=r.uploaded_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
    )
