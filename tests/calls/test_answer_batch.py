"""Answers of many calls stored in batches: every one stored, a bad one fails alone."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from functools import partial

import pytest
from sqlalchemy import func, select

from callcenter.calls.answer_batch import AnswerBatch, save_answers
from callcenter.calls.store import Ledger
from callcenter.calls.tables import AnswerRow
from callcenter.interview.answers import Answer
from callcenter.kernel.errors import LedgerError

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def test_answers_of_many_calls_are_all_stored_and_a_bad_one_fails_alone(
    ledger: Ledger,
) -> None:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "B-1", "城区市场监管所", "王伟", "13900000001", "登记", date(2026, 1, 5)
    )
    attempts = [f"a{i}" for i in range(20)]
    for a in attempts:
        ledger.start_attempt(a, case_id, "yima", NOW)
    writes: list[int] = []

    def write(rows):  # type: ignore[no-untyped-def]
        writes.append(len(rows))
        save_answers(ledger.engine, rows)

    batch = AnswerBatch(write, ThreadPoolExecutor(2))

    async def call(attempt: str) -> None:
        for q in range(3):  # in order, as a call does
            await batch.save(attempt, Answer(f"q{q}", "问题", "scale", "1", "满意", score=1), NOW)

    results = await asyncio.gather(
        *(call(a) for a in attempts), call("ghost"), return_exceptions=True
    )
    await batch.close()
    assert [type(r) for r in results[:-1]] == [type(None)] * 20
    assert isinstance(results[-1], LedgerError) and "ghost" in str(results[-1])
    with ledger.sessions() as s:
        stored = s.execute(select(func.count()).select_from(AnswerRow)).scalar_one()
    assert stored == 60
    assert max(writes) > 1  # stored together, not one transaction each
    assert len(writes) < 60


async def test_an_answer_with_a_recording_is_not_batched(ledger: Ledger) -> None:
    from pathlib import Path

    batch = AnswerBatch(partial(save_answers, ledger.engine), None)
    answer = Answer("q7_detail", "建议", "recording", recording=Path("/x.wav"))
    with pytest.raises(ValueError):
        await batch.save("a1", answer, NOW)
