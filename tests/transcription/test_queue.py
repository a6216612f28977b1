"""Queuing from the controller: never waits, and what cannot be sent stays pending."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from callcenter.bootstrap import make_celery
from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.settings import load_settings
from callcenter.transcription.queue import TranscriptionQueue
from callcenter.transcription.store import PENDING, TranscriptStore

T0 = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)


@pytest.fixture
def recorded(ledger: Ledger, tmp_path: Path) -> Answer:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "Q-1", "城区市场监管所", "王伟", "13900000001", "个体工商户设立登记", date(2026, 10, 9)
    )
    ledger.start_attempt("a1", case_id, "yima_phone_followup", T0)
    answer = Answer("q7_detail", "意见建议", "recording", recording=tmp_path / "q7.wav")
    ledger.save_answer("a1", answer, tmp_path)
    return answer


async def test_an_unreachable_broker_leaves_it_pending(
    ledger: Ledger, recorded: Answer, caplog: pytest.LogCaptureFixture
) -> None:
    # nothing listens on port 1: publishing fails after kombu's few quick retries
    settings = load_settings(campaign={"broker_url": "redis://127.0.0.1:1/0"})
    app = make_celery(settings)
    store = TranscriptStore(ledger.sessions)
    queue = TranscriptionQueue(app, store, settings.transcription.queue)
    try:
        started = time.perf_counter()
        await queue.on_answer("a1", recorded)
        await queue.on_answer("a1", Answer("q7_suggestion", "意见建议", "yesno", "1", "有"))
        assert time.perf_counter() - started < 0.1  # the call never waits for Redis
        with caplog.at_level(logging.WARNING):
            await queue.drain(timeout=30)
        assert "a1/q7_detail stays pending, not queued" in caplog.text
        assert store.state("a1", "q7_detail").status == PENDING
        assert store.pending() == [("a1", "q7_detail")]
    finally:
        await asyncio.to_thread(app.close)
