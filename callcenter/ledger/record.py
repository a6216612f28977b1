"""A call as the 台账 knows it: the case, the attempt, its answers and recordings, what
agents wrote about it, and the row it makes. Every page, export and command reads this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callcenter.calls.records import AnswerView, AttemptView, RecordingView
from callcenter.cases.store import CaseView
from callcenter.ledger import taizhang as tz


@dataclass(frozen=True)
class CallRecord:
    case: CaseView
    attempt: AttemptView
    recordings: tuple[RecordingView, ...]  # the whole call's first, then the answers'
    agent_remark: str  # what agents wrote after a takeover or a call-back, in 备注's words
    taizhang: tz.TaizhangRow | None  # the row the call makes in the 台账, once finished
    ticket_remark: str = ""  # the 整改 ticket the call opened or re-visited, and its state

    @property
    def answers(self) -> tuple[AnswerView, ...]:
        """In the order first saved."""
        return self.attempt.answers

    @property
    def call_recording(self) -> RecordingView | None:
        return next((r for r in self.recordings if r.kind == "call"), None)

    @property
    def answer_recordings(self) -> tuple[RecordingView, ...]:
        """In the order the questions came."""
        return tuple(a.recording for a in self.answers if a.recording is not None)


def call_record(
    case: CaseView,
    attempt: AttemptView,
    recordings: Sequence[RecordingView],
    agent_remark: str,
    ticket_remark: str = "",
) -> CallRecord:
    """The record of a call, with its 台账 row built the one way every reader gets it."""
    answers = attempt.answers
    row = None
    if attempt.ended_at is not None and attempt.outcome is not None:
        row = tz.row(
            unit=case.unit,
            started_at=attempt.started_at,
            applicant_name=case.applicant_name,
            applicant_org=case.applicant_org,
            matter=case.matter,
            complaint=case.is_complaint,
            outcome=attempt.outcome,
            answers=[a.as_answer() for a in answers],
            transcripts={
                a.question_id: a.recording.transcript
                for a in answers
                if a.recording is not None and a.recording.transcript
            },
            note=attempt.note,
            agent_remark=agent_remark,
            ticket_remark=ticket_remark,
        )
    return CallRecord(case, attempt, tuple(recordings), agent_remark, row, ticket_remark)
