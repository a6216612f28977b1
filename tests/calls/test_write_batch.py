"""The calls' answer times, whole-call recordings and outcomes written in shared
transactions: every one written, each caller gets its own result, a bad one fails alone."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event

from callcenter.calls.store import Ledger
from callcenter.calls.write_batch import WriteBatch
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.store import LedgerReader

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def test_writes_of_many_calls_share_transactions_and_a_bad_one_fails_alone(
    ledger: Ledger, ledger_engine: Engine, tmp_path: Path
) -> None:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "B-1", "城区市场监管所", "王伟", "13900000001", "登记", date(2026, 1, 5)
    )
    attempts = [f"a{i}" for i in range(20)]
    for a in attempts:
        ledger.start_attempt(a, case_id, "yima", NOW)
    commits: list[int] = []
    event.listen(ledger_engine, "commit", lambda _c: commits.append(1))
    batch = WriteBatch(ledger.engine, ThreadPoolExecutor(2))

    async def call(attempt: str) -> tuple[int, bool, bool]:
        await batch.run("mark_answered", ledger.mark_answered_op(attempt, NOW))
        seal = ledger.seal_call_op(attempt, tmp_path / attempt / "call.wav", 9.5, "ab" * 32)
        recording_id = await batch.run("seal_recording", seal)
        end = NOW + timedelta(seconds=30)
        first = await batch.run("finish", ledger.finish_op(attempt, Outcome.COMPLETE, 16, end))
        again = await batch.run("finish", ledger.finish_op(attempt, Outcome.FAILED, None, end))
        return recording_id, first, again

    results = await asyncio.gather(
        *(call(a) for a in attempts), call("ghost"), return_exceptions=True
    )
    await batch.close()

    assert isinstance(results[-1], LedgerError) and "ghost" in str(results[-1])
    done = results[:-1]
    assert all(isinstance(r, tuple) for r in done)
    assert len({r[0] for r in done}) == 20  # type: ignore[index]
    assert {r[1:] for r in done} == {(True, False)}  # type: ignore[index]
    reader = LedgerReader(ledger.sessions)
    for a in attempts:
        view = ledger.attempt(a)
        assert (view.answered_at, view.outcome, view.hangup_cause) == (NOW, Outcome.COMPLETE, 16)
        call = reader.call(a)
        assert call.call_recording is not None and call.call_recording.duration_seconds == 9.5
    assert len(commits) < 20 * 4  # shared, not one transaction per write


async def test_sealing_the_whole_call_again_keeps_one_row(ledger: Ledger, tmp_path: Path) -> None:
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "B-1", "城区市场监管所", "王伟", "13900000001", "登记", date(2026, 1, 5)
    )
    ledger.start_attempt("a1", case_id, "yima", NOW)
    first = ledger.seal_recording("a1", tmp_path / "call.wav", duration=3.0, sha256="a" * 64)
    again = ledger.seal_recording("a1", tmp_path / "call.wav", duration=4.0, sha256="b" * 64)

    assert first == again
    with_recording = LedgerReader(ledger.sessions).call("a1").call_recording
    assert with_recording is not None and with_recording.sha256 == "b" * 64
