"""Hundreds of calls writing the ledger at once, from several processes' worth of
connections: no write fails on a lock and no row is lost, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select

from callcenter.calls.store import Ledger
from callcenter.calls.tables import AnswerRow, CallAttempt
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel import database
from callcenter.kernel.database import make_engine, session_factory

PROCESSES = 4  # engines of their own: separate pools and locks, as separate processes
CALLS = 60  # per process: 240 calls at once
QUESTIONS = 2


async def place_calls(ledger: Ledger, owner: str, case_ids: list[int]) -> list[str]:
    """Each call's writes in the controller's order, on a pool of 32 threads."""
    errors: list[str] = []
    pool = ThreadPoolExecutor(max_workers=32)
    loop = asyncio.get_running_loop()

    async def write(fn, *args) -> None:  # type: ignore[no-untyped-def]
        await loop.run_in_executor(pool, fn, *args)

    async def call(i: int, case_id: int) -> None:
        attempt = f"{owner}-{i}"
        now = datetime.now(UTC)
        try:
            await write(ledger.start_attempt, attempt, case_id, "yima", now, owner)
            await write(ledger.mark_answered, attempt, now)
            for q in range(QUESTIONS):
                answer = Answer(f"q{q}", f"问题{q}", "choice", "1", "满意", score=100)
                await write(ledger.save_answer, attempt, answer)
            await write(ledger.finish_attempt, attempt, Outcome.COMPLETE, 16, now)
        except Exception as exc:
            errors.append(f"{attempt}: {exc!r}")

    try:
        await asyncio.gather(*(call(i, c) for i, c in enumerate(case_ids)))
    finally:
        pool.shutdown()
    return errors


async def test_many_concurrent_writers_lose_nothing(
    ledger_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a short busy timeout makes the lock races that a loaded machine causes common
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    setup = Ledger(session_factory(ledger_engine))
    setup.upsert_unit("城区市场监管所", "station")
    case_ids = [
        setup.add_case(f"L-{i}", "城区市场监管所", "王伟", f"139{i:08d}", "登记", date(2026, 1, 5))
        for i in range(CALLS)
    ]
    engines = [make_engine(ledger_engine.url) for _ in range(PROCESSES)]
    try:
        results = await asyncio.gather(
            *(
                place_calls(Ledger(session_factory(e)), f"p{k}", case_ids)
                for k, e in enumerate(engines)
            )
        )
    finally:
        for e in engines:
            e.dispose()
    assert [e for errors in results for e in errors] == []
    with ledger_engine.connect() as c:
        finished = c.execute(
            select(func.count()).where(CallAttempt.outcome == Outcome.COMPLETE.value)
        ).scalar_one()
        answers = c.execute(select(func.count()).select_from(AnswerRow)).scalar_one()
        per_case = c.execute(
            select(CallAttempt.case_id, func.count()).group_by(CallAttempt.case_id)
        ).all()
    assert finished == PROCESSES * CALLS
    assert answers == PROCESSES * CALLS * QUESTIONS
    assert len(per_case) == CALLS and {n for _, n in per_case} == {PROCESSES}
