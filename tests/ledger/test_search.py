"""The read model's search, units, months and single calls, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.search import PENDING, ScoreFilter, SearchQuery
from callcenter.ledger.store import LedgerReader
from tests.web.seed import (
    BUREAU,
    PHONE_1,
    REASON_TEXT,
    STATION,
    WINDOW,
    Seeded,
    seed,
    tone_speech,
)


@pytest.fixture
def seeded(ledger: Ledger, tmp_path: Path) -> Seeded:
    return seed(ledger, tmp_path / "storage", tone_speech(tmp_path))


def _ids(reader: LedgerReader, **filters: object) -> list[str]:
    return [h.attempt.id for h in reader.search(SearchQuery(**filters)).hits]  # type: ignore[arg-type]


def test_every_call_newest_first(reader: LedgerReader, seeded: Seeded) -> None:
    result = reader.search(SearchQuery())
    assert result.total == 3
    assert [h.attempt.id for h in result.hits] == [
        seeded.satisfied,
        seeded.complete,
        seeded.unanswered,
    ]
    complete = result.hits[1]
    assert complete.case.phone == PHONE_1  # masking is the page's business
    assert len(complete.recordings) == 3
    assert [a.question_id for a in complete.answers][:2] == ["consent", "q1_environment"]


def test_filters(reader: LedgerReader, seeded: Seeded) -> None:
    assert _ids(reader, month="2026-10") == [seeded.unanswered]
    assert _ids(reader, month="2026-11") == [seeded.satisfied, seeded.complete]
    assert _ids(reader, unit=STATION) == [seeded.complete]
    assert _ids(reader, unit=BUREAU) == [seeded.satisfied, seeded.complete, seeded.unanswered]
    assert _ids(reader, unit=WINDOW, month="2026-11") == [seeded.satisfied]
    assert _ids(reader, outcome=Outcome.NO_ANSWER.value) == [seeded.unanswered]
    assert _ids(reader, outcome=PENDING) == []
    assert _ids(reader, score=ScoreFilter.FOLLOW_UP) == [seeded.complete]
    assert _ids(reader, score=ScoreFilter.S1) == [seeded.satisfied, seeded.complete]
    assert _ids(reader, score=ScoreFilter.S5) == []
    assert _ids(reader, keyword="排队") == [seeded.complete]
    assert _ids(reader, keyword="周末") == [seeded.complete]
    assert _ids(reader, keyword="没有的词") == []
    assert _ids(reader, case_text="商贸") == [seeded.satisfied]
    assert _ids(reader, case_text="YM-2026-10") == [seeded.unanswered]


def test_like_wildcards_are_literal(reader: LedgerReader, seeded: Seeded) -> None:
    assert _ids(reader, keyword="%") == []
    assert _ids(reader, keyword="_") == []
    assert _ids(reader, case_text="YM_2026") == []


def test_paging(reader: LedgerReader, seeded: Seeded) -> None:
    first = reader.search(SearchQuery(page_size=2))
    second = reader.search(SearchQuery(page_size=2, page=2))
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (3, 2, 2, 1)


def test_unknown_unit_or_outcome(reader: LedgerReader, seeded: Seeded) -> None:
    with pytest.raises(LedgerError, match="unknown unit '火星所'"):
        reader.search(SearchQuery(unit="火星所"))
    with pytest.raises(LedgerError, match="outcome 'won'"):
        reader.search(SearchQuery(outcome="won"))


def test_months_and_units(reader: LedgerReader, seeded: Seeded) -> None:
    assert reader.months() == ["2026-11", "2026-10"]
    assert [(u.name, u.parent) for u in reader.units()] == [
        (BUREAU, None),
        (STATION, BUREAU),
        (WINDOW, BUREAU),
    ]


def test_call_record(reader: LedgerReader, seeded: Seeded) -> None:
    call = reader.find(seeded.complete)
    assert call is not None
    assert call.case.case_no == "YM-2026-1101"
    assert call.call_recording is not None and call.call_recording.id == seeded.call_recording_id
    assert call.call_recording.path == Path(f"recordings/{seeded.complete}/call.wav")
    assert [r.question_id for r in call.answer_recordings] == ["q2_reason", "q7_detail"]
    assert call.answer_recordings[0].transcript == REASON_TEXT
    assert call.taizhang is not None and REASON_TEXT in call.taizhang.phone_record
    assert [a.id for a in reader.attempts_of_case(call.attempt.case_id)] == [seeded.complete]
    assert reader.find("no-such-call") is None
    with pytest.raises(LedgerError, match="unknown call attempt 'no-such-call'"):
        reader.call("no-such-call")


def test_recording_for_the_player(ledger: Ledger, seeded: Seeded) -> None:
    recording = ledger.recording(seeded.reason_recording_id)
    assert recording is not None
    assert (recording.attempt_id, recording.kind) == (seeded.complete, "answer")
    assert recording.sha256 is not None and len(recording.sha256) == 64
    assert ledger.recording(999_999) is None


def test_empty_ledger_has_no_months(reader: LedgerReader) -> None:
    assert reader.months() == []
