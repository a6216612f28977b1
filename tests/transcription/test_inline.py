"""Transcribing a call's recorded answers in the process (the demo's way)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import TranscriptionError
from callcenter.ledger.store import LedgerReader
from callcenter.transcription.inline import transcribe_now
from callcenter.transcription.store import DONE, FAILED, FAILED_TEXT, TranscriptStore

T0 = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)


class Fake:
    name = "fake"

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.heard: list[Path] = []

    def transcribe(self, wav: Path) -> str:
        self.heard.append(wav)
        if wav.stem not in self.texts:
            raise TranscriptionError(f"recording {wav} cannot be decoded")
        return self.texts[wav.stem]


def _answered(ledger: Ledger, case_id: int, interview: list[Answer], root: Path) -> list[str]:
    ledger.start_attempt("a1", case_id, "yima-v1", T0)
    for answer in interview:
        ledger.save_answer("a1", answer, root)
    ledger.finish_attempt("a1", Outcome.COMPLETE, 16, T0 + timedelta(minutes=3))
    return [a.question_id for a in interview if a.recording is not None]


def test_recorded_answers_are_in_the_taizhang_when_it_returns(
    ledger: Ledger,
    case_id: int,
    interview: list[Answer],
    storage_root: Path,
    reader: LedgerReader,
) -> None:
    recorded = _answered(ledger, case_id, interview, storage_root)
    assert recorded == ["q2_reason", "q7_detail"]
    fake = Fake({"q2_reason": "窗口人员态度冷淡", "q7_detail": "希望多开几个窗口"})
    loads: list[int] = []

    def load() -> Fake:
        loads.append(1)
        return fake

    states = transcribe_now(
        TranscriptStore(ledger.sessions), load, storage_root, [("a1", q) for q in recorded]
    )
    assert [(s.status, s.text, s.engine) for s in states] == [
        (DONE, "窗口人员态度冷淡", "fake"),
        (DONE, "希望多开几个窗口", "fake"),
    ]
    assert loads == [1]  # loaded once, for both
    assert fake.heard == [storage_root / "recordings/call-1" / f"{q}.wav" for q in recorded]
    [row] = reader.taizhang(f"{T0:%Y-%m}", attempt_ids={"a1"})
    assert "窗口人员态度冷淡" in row.phone_record
    assert "希望多开几个窗口" in row.phone_record


def test_a_failed_recording_is_given_up_and_the_rest_go_on(
    ledger: Ledger, case_id: int, interview: list[Answer], storage_root: Path
) -> None:
    recorded = _answered(ledger, case_id, interview, storage_root)
    fake = Fake({"q7_detail": "希望多开几个窗口"})
    store = TranscriptStore(ledger.sessions)
    first, second = transcribe_now(store, lambda: fake, storage_root, [("a1", q) for q in recorded])
    assert (first.status, first.text) == (FAILED, FAILED_TEXT)
    assert first.error is not None and "cannot be decoded" in first.error
    assert (second.status, second.text) == (DONE, "希望多开几个窗口")
    # done ones are not transcribed twice
    again = transcribe_now(store, lambda: fake, storage_root, [("a1", "q7_detail")])
    assert again[0].text == "希望多开几个窗口" and len(fake.heard) == 2
