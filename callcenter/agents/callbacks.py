"""Call-back tasks: applicants a takeover rule picked out whom no agent could take.

Each one is the agents' work queue; it shows in the 台账 through the call's note, and
its outcome note once an agent has called back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from callcenter.agents.tables import CallbackTask
from callcenter.calls.tables import CallAttempt
from callcenter.cases.store import CaseView, case_view
from callcenter.cases.tables import Case
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import AgentError
from callcenter.kernel.transaction import transaction


@dataclass(frozen=True)
class CallbackView:
    id: int
    attempt_id: str
    takeover_id: int | None
    reason: str
    misconduct: bool
    state: str
    created_at: datetime
    done_by: str | None
    done_at: datetime | None
    note: str
    case: CaseView


class CallbackTasks:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    def add(self, attempt_id: str, takeover_id: int | None, reason: str, misconduct: bool) -> int:
        """Record a call-back for the call; a second one for the same takeover is the first."""
        with transaction(self._sessions, "add call-back task") as s:
            if takeover_id is not None:
                existing = s.execute(
                    select(CallbackTask.id).where(CallbackTask.takeover_id == takeover_id)
                ).scalar_one_or_none()
                if existing is not None:
                    return existing
            case_id = s.execute(
                select(CallAttempt.case_id).where(CallAttempt.id == attempt_id)
            ).scalar_one_or_none()
            if case_id is None:
                raise AgentError(f"unknown call attempt {attempt_id!r}")
            row = CallbackTask(
                attempt_id=attempt_id,
                case_id=case_id,
                takeover_id=takeover_id,
                reason=reason,
                misconduct=misconduct,
                state="open",
                created_at=self._clock.now(),
                note="",
            )
            s.add(row)
            s.flush()
            return row.id

    def queue(self, *, include_misconduct: bool, state: str | None = "open") -> list[CallbackView]:
        """The agents' queue, oldest first; misconduct reports only for those who may see them."""
        with transaction(self._sessions, "call-back queue") as s:
            stmt = select(CallbackTask).order_by(CallbackTask.created_at, CallbackTask.id)
            if state is not None:
                stmt = stmt.where(CallbackTask.state == state)
            if not include_misconduct:
                stmt = stmt.where(CallbackTask.misconduct.is_(False))
            return _views(s, list(s.execute(stmt).scalars()))

    def for_attempt(self, attempt_id: str) -> list[CallbackView]:
        with transaction(self._sessions, "call-backs of a call") as s:
            rows = s.execute(
                select(CallbackTask)
                .where(CallbackTask.attempt_id == attempt_id)
                .order_by(CallbackTask.id)
            ).scalars()
            return _views(s, list(rows))

    def get(self, task_id: int) -> CallbackView:
        with transaction(self._sessions, "call-back task") as s:
            row = s.get(CallbackTask, task_id)
            if row is None:
                raise AgentError(f"no call-back task {task_id}")
            return _views(s, [row])[0]

    def finish(self, task_id: int, by: str, note: str) -> CallbackView:
        note = note.strip()
        if not note:
            raise AgentError(f"call-back task {task_id}: say what came of the call in the note")
        with transaction(self._sessions, "finish call-back task") as s:
            done = s.execute(
                update(CallbackTask)
                .where(CallbackTask.id == task_id, CallbackTask.state == "open")
                .values(state="done", done_by=by, done_at=self._clock.now(), note=note)
                .returning(CallbackTask.id)
            ).first()
            if done is None:
                row = s.get(CallbackTask, task_id)
                if row is None:
                    raise AgentError(f"no call-back task {task_id}")
                raise AgentError(f"call-back task {task_id} was already done by {row.done_by}")
        return self.get(task_id)


def _views(s: Session, rows: list[CallbackTask]) -> list[CallbackView]:
    cases = {
        c.id: c
        for c in s.execute(
            select(Case)
            .where(Case.id.in_({r.case_id for r in rows}))
            .options(joinedload(Case.unit))
        ).scalars()
    }
    return [
        CallbackView(
            id=r.id,
            attempt_id=r.attempt_id,
            takeover_id=r.takeover_id,
            reason=r.reason,
            misconduct=r.misconduct,
            state=r.state,
            created_at=r.created_at,
            done_by=r.done_by,
            done_at=r.done_at,
            note=r.note,
            case=case_view(cases[r.case_id]),
        )
        for r in rows
    ]
