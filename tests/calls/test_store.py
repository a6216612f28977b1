"""The Ledger write API: every write may be repeated, and the first finish wins."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from callcenter.calls.store import Ledger
from callcenter.calls.tables import AnswerRow, CallAttempt, Recording
from callcenter.cases.tables import Case, Unit
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import CAUSE_BUSY, CAUSE_NORMAL, Outcome
from callcenter.kernel.database import make_engine, session_factory
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.store import LedgerReader
from callcenter.transcription.store import TranscriptStore

T0 = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def count(engine: Engine, model: type, *where: object) -> int:
    with engine.connect() as connection:
        stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return connection.execute(stmt).scalar_one()


# -- units and cases -----------------------------------------------------------------


def test_upsert_unit_returns_the_same_id_and_updates(ledger: Ledger, ledger_engine: Engine) -> None:
    bureau = ledger.upsert_unit("义马市市场监督管理局", kind="bureau")
    window = ledger.upsert_unit("政务服务中心窗口", kind="station")
    again = ledger.upsert_unit("政务服务中心窗口", kind="window", parent="义马市市场监督管理局")

    assert again == window
    assert ledger.upsert_unit("义马市市场监督管理局", kind="bureau") == bureau
    with ledger_engine.connect() as connection:
        row = connection.execute(select(Unit).where(Unit.id == window)).one()
    assert (row.kind, row.parent_id) == ("window", bureau)
    assert count(ledger_engine, Unit) == 2


def test_upsert_unit_rejects_bad_kind_and_unknown_parent(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="unit kind 'office' is not one of"):
        ledger.upsert_unit("X", kind="office")
    with pytest.raises(LedgerError, match="unknown unit '不存在的局'"):
        ledger.upsert_unit("X", parent="不存在的局")


def test_add_case_twice_keeps_the_first(
    ledger: Ledger, ledger_engine: Engine, case_id: int
) -> None:
    again = ledger.add_case(
        "YM-2026-0001",
        unit="义马市市场监督管理局",
        applicant_name="李四",
        phone="13900000000",
        matter="另一件事",
        completed_on=date(2026, 10, 21),
    )

    assert again == case_id
    assert count(ledger_engine, Case) == 1
    assert ledger.case_info(case_id).applicant_name == "张三"


def test_add_case_for_unknown_unit(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="unknown unit '东区所'; add it with upsert_unit"):
        ledger.add_case("C1", "东区所", "王五", "1", "m", date(2026, 10, 1))


def test_case_info(ledger: Ledger, case_id: int) -> None:
    info = ledger.case_info(case_id)

    assert info.case_id == case_id
    assert info.unit == "义马市市场监督管理局千秋所"
    assert (info.applicant_name, info.title, info.phone) == ("张三", "先生", "13800000000")
    assert info.completed_on == date(2026, 10, 20)
    assert info.prompt_fields()["date"] == "2026年10月20日"
    with pytest.raises(LedgerError, match="unknown case id 424242"):
        ledger.case_info(424242)


def test_case_infos_reads_many_and_leaves_unknown_ids_out(ledger: Ledger, case_id: int) -> None:
    other = ledger.add_case(
        "C2", "义马市市场监督管理局千秋所", "李四", "13800000001", "m", date(2026, 10, 21)
    )

    infos = ledger.case_infos([other, 424242, case_id])

    assert infos == {case_id: ledger.case_info(case_id), other: ledger.case_info(other)}
    assert infos[other].applicant_name == "李四"


def test_case_info_offers_the_company_to_prompts(ledger: Ledger, case_id: int) -> None:
    other = ledger.add_case(
        "C2",
        "义马市市场监督管理局千秋所",
        "王五",
        "1",
        "食品经营许可",
        date(2026, 10, 2),
        applicant_org="义马市某某餐饮有限公司",
    )
    assert ledger.case_info(other).extra == {"org": "义马市某某餐饮有限公司"}
    assert ledger.case_info(case_id).extra == {}


# -- attempts ------------------------------------------------------------------------


def test_start_attempt_twice_records_one(
    ledger: Ledger, reader: LedgerReader, ledger_engine: Engine, case_id: int
) -> None:
    assert ledger.start_attempt("a1", case_id, "yima-v1", at(0)) is True
    assert ledger.start_attempt("a1", case_id, "yima-v1", at(5)) is False

    assert count(ledger_engine, CallAttempt) == 1
    view = reader.call("a1").attempt
    assert (view.attempt_no, view.started_at, view.finished) == (1, at(0), False)


def test_attempts_of_a_case_are_numbered(
    ledger: Ledger, reader: LedgerReader, case_id: int
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    ledger.start_attempt("a2", case_id, "yima-v1", at(60))

    assert reader.call("a2").attempt.attempt_no == 2


def test_start_attempt_unknown_case_or_reused_id(ledger: Ledger, case_id: int) -> None:
    with pytest.raises(LedgerError, match="unknown case id 999"):
        ledger.start_attempt("a1", 999, "yima-v1", at(0))
    other = ledger.add_case("C2", "义马市市场监督管理局千秋所", "王五", "1", "m", date(2026, 10, 2))
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    with pytest.raises(LedgerError, match=f"'a1' belongs to case {case_id}, not case {other}"):
        ledger.start_attempt("a1", other, "yima-v1", at(0))


def test_mark_answered_keeps_the_first_time(
    ledger: Ledger, reader: LedgerReader, case_id: int
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    ledger.mark_answered("a1", at(0.5))
    ledger.mark_answered("a1", at(0.9))

    assert reader.call("a1").attempt.answered_at == at(0.5)
    with pytest.raises(LedgerError, match="unknown call attempt 'nope'"):
        ledger.mark_answered("nope", at(1))


def test_finish_attempt_first_wins(ledger: Ledger, reader: LedgerReader, case_id: int) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))

    assert ledger.finish_attempt("a1", Outcome.COMPLETE, CAUSE_NORMAL, at(4), "first") is True
    assert ledger.finish_attempt("a1", Outcome.FAILED, None, at(9), "second") is False

    view = reader.call("a1").attempt
    assert (view.outcome, view.hangup_cause, view.ended_at, view.note) == (
        Outcome.COMPLETE,
        CAUSE_NORMAL,
        at(4),
        "first",
    )
    with pytest.raises(LedgerError, match="unknown call attempt 'nope'"):
        ledger.finish_attempt("nope", Outcome.BUSY, CAUSE_BUSY, at(1))


def test_unfinished_attempts_lists_what_a_crash_left(ledger: Ledger, case_id: int) -> None:
    for n, attempt_id in enumerate(["late", "early", "done"]):
        ledger.start_attempt(attempt_id, case_id, "yima-v1", at(10 - n))
    ledger.finish_attempt("done", Outcome.NO_ANSWER, 19, at(11))

    assert ledger.unfinished_attempts() == ["early", "late"]


@pytest.mark.parametrize("threads", [2, 8])
def test_concurrent_finishes_have_one_winner(db_url: str, case_id: int, threads: int) -> None:
    # Separate engines, as separate controller processes would have.
    engines = [make_engine(db_url) for _ in range(threads)]
    ledgers = [Ledger(session_factory(engine)) for engine in engines]
    ledgers[0].start_attempt("a1", case_id, "yima-v1", at(0))
    barrier = threading.Barrier(threads)
    results: dict[int, bool] = {}
    outcomes = [Outcome.COMPLETE, Outcome.PARTIAL, Outcome.FAILED, Outcome.REFUSED] * 2

    def finish(i: int) -> None:
        barrier.wait()
        results[i] = ledgers[i].finish_attempt("a1", outcomes[i], None, at(i + 1), f"by {i}")

    workers = [threading.Thread(target=finish, args=(i,)) for i in range(threads)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        winners = [i for i, won in results.items() if won]
        assert len(results) == threads
        assert len(winners) == 1
        view = LedgerReader(ledgers[0].sessions).call("a1").attempt
        assert (view.outcome, view.note) == (outcomes[winners[0]], f"by {winners[0]}")
    finally:
        for engine in engines:
            engine.dispose()


def test_concurrent_starts_of_one_case_get_distinct_numbers(db_url: str, case_id: int) -> None:
    """Two processes start calls to one case at the same moment: the second one's count
    of earlier attempts is taken while the first has counted but not yet inserted."""
    engines = [make_engine(db_url) for _ in range(2)]
    ledgers = [Ledger(session_factory(engine)) for engine in engines]
    first_inserting = threading.Event()
    second_counted = threading.Event()

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CALL_ATTEMPTS"):
            first_inserting.set()
            # hold the insert until the other start has counted, or until it is
            # evidently kept from counting (the fix): it then counts after this commit
            second_counted.wait(timeout=2)

    def after(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "count(" in statement.lower() and "call_attempts" in statement.lower():
            second_counted.set()

    event.listen(engines[0], "before_cursor_execute", before)
    event.listen(engines[1], "after_cursor_execute", after)
    errors: list[BaseException] = []

    def start(i: int) -> None:
        try:
            if i == 1:
                assert first_inserting.wait(timeout=30)
            ledgers[i].start_attempt(f"a{i}", case_id, "yima-v1", at(i))
        except BaseException as exc:  # reported below, with the numbers
            errors.append(exc)

    workers = [threading.Thread(target=start, args=(i,)) for i in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert errors == []
        with engines[0].connect() as connection:
            numbers = connection.execute(
                select(CallAttempt.attempt_no)
                .where(CallAttempt.case_id == case_id)
                .order_by(CallAttempt.attempt_no)
            ).scalars()
            assert list(numbers) == [1, 2]
    finally:
        for engine in engines:
            engine.dispose()


# -- answers -------------------------------------------------------------------------


def test_save_answer_twice_keeps_one_row_with_the_latest(
    ledger: Ledger,
    reader: LedgerReader,
    ledger_engine: Engine,
    case_id: int,
    interview: list[Answer],
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    first, second = interview[1], interview[4]
    ledger.save_answer("a1", first)
    ledger.save_answer("a1", second)
    changed = replace(first, keys="2", value="比较满意", score=2)
    ledger.save_answer("a1", changed)
    ledger.save_answer("a1", changed)

    assert count(ledger_engine, AnswerRow) == 2
    # The order is that of first saving, so a re-asked question keeps its place.
    assert [a.as_answer() for a in reader.call("a1").answers] == [changed, second]


def test_save_answer_for_unknown_attempt(ledger: Ledger, interview: list[Answer]) -> None:
    with pytest.raises(LedgerError, match="unknown call attempt 'ghost'"):
        ledger.save_answer("ghost", interview[1])


def test_recorded_answer_is_stored_relative_to_the_storage_root(
    ledger: Ledger,
    reader: LedgerReader,
    ledger_engine: Engine,
    case_id: int,
    interview: list[Answer],
    storage_root: Path,
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    suggestions = interview[9]
    ledger.save_answer("a1", suggestions, storage_root)
    ledger.save_answer("a1", suggestions, storage_root)

    [stored] = reader.call("a1").answers
    assert stored.as_answer().recording == Path("recordings/call-1/q7_detail.wav")
    with ledger_engine.connect() as connection:
        rows = connection.execute(select(Recording)).all()
    assert [(r.kind, r.question_id, r.path) for r in rows] == [
        ("answer", "q7_detail", "recordings/call-1/q7_detail.wav")
    ]


def test_the_ledgers_read_of_an_attempt_is_the_readers_view(
    ledger: Ledger,
    reader: LedgerReader,
    case_id: int,
    interview: list[Answer],
    storage_root: Path,
) -> None:
    # what follows a call reads its attempt as plain rows, the pages through the ORM:
    # both must give the same view, recordings included
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    for answer in interview:
        ledger.save_answer("a1", answer, storage_root)
    view = ledger.attempt("a1")
    assert view == reader.call("a1").attempt
    recorded = {a.question_id for a in view.answers if a.recording is not None}
    assert recorded == {a.question_id for a in interview if a.recording is not None}
    assert recorded and all(a.recording.kind == "answer" for a in view.answers if a.recording)
    assert len(view.answers) == len({a.question_id for a in interview})


def test_recording_outside_the_storage_root_keeps_its_path(
    ledger: Ledger, reader: LedgerReader, case_id: int, interview: list[Answer], tmp_path: Path
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    elsewhere = replace(interview[9], recording=tmp_path / "elsewhere" / "s.wav")
    ledger.save_answer("a1", elsewhere, tmp_path / "storage")

    [stored] = reader.call("a1").answers
    assert stored.as_answer().recording == tmp_path / "elsewhere" / "s.wav"


def test_transcript_is_kept_until_the_recording_changes(
    ledger: Ledger,
    ledger_engine: Engine,
    case_id: int,
    interview: list[Answer],
    storage_root: Path,
) -> None:
    ledger.start_attempt("a1", case_id, "yima-v1", at(0))
    suggestions = interview[9]
    ledger.save_answer("a1", suggestions, storage_root)
    store = TranscriptStore(ledger.sessions)
    store.done("a1", "q7_detail", "希望增加停车位", "vosk")
    ledger.save_answer("a1", suggestions, storage_root)

    def transcripts() -> list[str | None]:
        with ledger_engine.connect() as connection:
            return list(connection.execute(select(Recording.transcript)).scalars())

    assert transcripts() == ["希望增加停车位"]
    ledger.save_answer(
        "a1", replace(suggestions, recording=storage_root / "retry.wav"), storage_root
    )
    assert transcripts() == [None]
    with pytest.raises(LedgerError, match="no recorded answer to question 'q1_environment'"):
        store.done("a1", "q1_environment", "x", "vosk")
