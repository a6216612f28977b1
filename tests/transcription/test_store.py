"""Transcription state in the ledger: queued, claimed run by run, done or given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.store import LedgerReader
from callcenter.transcription.store import (
    DONE,
    FAILED,
    FAILED_TEXT,
    NO_SPEECH_TEXT,
    PENDING,
    TranscriptStore,
)

T0 = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)


@pytest.fixture
def store(ledger: Ledger) -> TranscriptStore:
    return TranscriptStore(ledger.sessions)


@pytest.fixture
def answered(ledger: Ledger, case_id: int, interview: list[Answer], storage_root: Path) -> str:
    ledger.start_attempt("a1", case_id, "yima-v1", T0)
    for answer in interview:
        ledger.save_answer("a1", answer, storage_root)
    return "a1"


def test_queue_claim_done(store: TranscriptStore, reader: LedgerReader, answered: str) -> None:
    assert store.state(answered, "q7_detail").status is None
    assert store.queue(answered, "q7_detail")
    assert store.pending() == [(answered, "q7_detail")]
    job = store.claim(answered, "q7_detail", max_runs=3)
    assert job is not None
    assert (job.status, job.runs, job.path) == (PENDING, 1, Path("recordings/call-1/q7_detail.wav"))
    store.done(answered, "q7_detail", "希望多开几个窗口", "vosk")

    state = store.state(answered, "q7_detail")
    assert (state.status, state.text, state.engine, state.error) == (
        DONE,
        "希望多开几个窗口",
        "vosk",
        None,
    )
    assert store.pending() == []
    [view] = [r for r in reader.call(answered).recordings if r.question_id == "q7_detail"]
    assert (view.transcript, view.transcript_status) == ("希望多开几个窗口", DONE)


def test_a_second_delivery_does_nothing(store: TranscriptStore, answered: str) -> None:
    store.queue(answered, "q2_reason")
    assert store.claim(answered, "q2_reason", max_runs=3) is not None
    store.done(answered, "q2_reason", "态度冷淡", "faster-whisper")
    assert store.claim(answered, "q2_reason", max_runs=3) is None
    assert not store.queue(answered, "q2_reason")  # queued again: already has its text
    assert store.state(answered, "q2_reason").runs == 1


def test_runs_are_counted_and_bounded(store: TranscriptStore, answered: str) -> None:
    store.queue(answered, "q2_reason")
    for run in (1, 2):
        job = store.claim(answered, "q2_reason", max_runs=2)
        assert job is not None and job.runs == run
    # a third delivery (say, after a worker was killed mid-run) gives up
    assert store.claim(answered, "q2_reason", max_runs=2) is None
    state = store.state(answered, "q2_reason")
    assert (state.status, state.text) == (FAILED, FAILED_TEXT)
    assert state.error == "gave up after 2 runs that did not finish"


def test_failure_is_shown_in_the_taizhang(
    store: TranscriptStore, ledger: Ledger, reader: LedgerReader, answered: str
) -> None:
    store.queue(answered, "q2_reason")
    store.fail(answered, "q2_reason", "recording x does not exist")
    store.queue(answered, "q7_detail")
    store.done(answered, "q7_detail", "", "vosk")
    ledger.finish_attempt(answered, Outcome.COMPLETE, 16, T0 + timedelta(minutes=4))

    [row] = reader.taizhang()
    assert "服务态度：一般（已录音说明原因，转写失败）" in row.phone_record
    assert row.phone_record.endswith(f"意见建议：有（{NO_SPEECH_TEXT}）")
    assert store.state(answered, "q2_reason").error == "recording x does not exist"


def test_queue_again_after_failure_starts_over(store: TranscriptStore, answered: str) -> None:
    store.queue(answered, "q2_reason")
    store.fail(answered, "q2_reason", "timed out")
    assert store.queue(answered, "q2_reason")
    state = store.state(answered, "q2_reason")
    assert (state.status, state.runs, state.text, state.error) == (PENDING, 0, None, None)


def test_a_new_file_forgets_the_old_transcript(
    store: TranscriptStore,
    ledger: Ledger,
    answered: str,
    interview: list[Answer],
    storage_root: Path,
) -> None:
    store.queue(answered, "q7_detail")
    store.done(answered, "q7_detail", "旧的", "vosk")
    retry = Answer("q7_detail", "意见建议", "recording", recording=storage_root / "retry.wav")
    ledger.save_answer(answered, retry, storage_root)
    state = store.state(answered, "q7_detail")
    assert (state.status, state.runs, state.text, state.engine) == (None, 0, None, None)


def test_unknown_answer_is_named(store: TranscriptStore, answered: str) -> None:
    with pytest.raises(LedgerError, match="no recorded answer to question 'q1_environment'"):
        store.queue(answered, "q1_environment")
