"""The auditors' read-only queries over the ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import session_factory
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.search import PENDING, LedgerSearch, ScoreFilter, SearchQuery
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


@pytest.fixture
def search(ledger_engine: Engine) -> LedgerSearch:
    return LedgerSearch(session_factory(ledger_engine))


def _ids(search: LedgerSearch, **filters: object) -> list[str]:
    return [h.attempt.id for h in search.search(SearchQuery(**filters)).hits]  # type: ignore[arg-type]


def test_every_call_newest_first(search: LedgerSearch, seeded: Seeded) -> None:
    result = search.search(SearchQuery())
    assert result.total == 3
    assert [h.attempt.id for h in result.hits] == [
        seeded.satisfied,
        seeded.complete,
        seeded.unanswered,
    ]
    complete = result.hits[1]
    assert complete.case.phone == PHONE_1  # masking is the page's business
    assert complete.recordings == 3
    assert [a.question_id for a in complete.answers][:2] == ["consent", "q1_environment"]


def test_filters(search: LedgerSearch, seeded: Seeded) -> None:
    assert _ids(search, month="2026-10") == [seeded.unanswered]
    assert _ids(search, month="2026-11") == [seeded.satisfied, seeded.complete]
    assert _ids(search, unit=STATION) == [seeded.complete]
    assert _ids(search, unit=BUREAU) == [seeded.satisfied, seeded.complete, seeded.unanswered]
    assert _ids(search, unit=WINDOW, month="2026-11") == [seeded.satisfied]
    assert _ids(search, outcome=Outcome.NO_ANSWER.value) == [seeded.unanswered]
    assert _ids(search, outcome=PENDING) == []
    assert _ids(search, score=ScoreFilter.FOLLOW_UP) == [seeded.complete]
    assert _ids(search, score=ScoreFilter.S1) == [seeded.satisfied, seeded.complete]
    assert _ids(search, score=ScoreFilter.S5) == []
    assert _ids(search, keyword="排队") == [seeded.complete]
    assert _ids(search, keyword="周末") == [seeded.complete]
    assert _ids(search, keyword="没有的词") == []
    assert _ids(search, case_text="商贸") == [seeded.satisfied]
    assert _ids(search, case_text="YM-2026-10") == [seeded.unanswered]


def test_like_wildcards_are_literal(search: LedgerSearch, seeded: Seeded) -> None:
    assert _ids(search, keyword="%") == []
    assert _ids(search, keyword="_") == []
    assert _ids(search, case_text="YM_2026") == []


def test_paging(search: LedgerSearch, seeded: Seeded) -> None:
    first = search.search(SearchQuery(page_size=2))
    second = search.search(SearchQuery(page_size=2, page=2))
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (3, 2, 2, 1)


def test_unknown_unit_or_outcome(search: LedgerSearch, seeded: Seeded) -> None:
    with pytest.raises(LedgerError, match="unknown unit '火星所'"):
        search.search(SearchQuery(unit="火星所"))
    with pytest.raises(LedgerError, match="outcome 'won'"):
        search.search(SearchQuery(outcome="won"))


def test_months_and_units(search: LedgerSearch, seeded: Seeded) -> None:
    assert search.months() == ["2026-11", "2026-10"]
    assert [(u.name, u.parent) for u in search.units()] == [
        (BUREAU, None),
        (STATION, BUREAU),
        (WINDOW, BUREAU),
    ]


def test_call_facts(search: LedgerSearch, seeded: Seeded) -> None:
    call = search.call(seeded.complete)
    assert call is not None
    assert call.case.case_no == "YM-2026-1101"
    assert call.call_recording is not None and call.call_recording.id == seeded.call_recording_id
    assert call.call_recording.path == f"recordings/{seeded.complete}/call.wav"
    assert [r.question_id for r in call.answer_recordings] == ["q2_reason", "q7_detail"]
    assert call.answer_recordings[0].transcript == REASON_TEXT
    assert call.taizhang is not None and REASON_TEXT in call.taizhang.phone_record
    assert call.other_attempts == ()
    assert search.call("no-such-call") is None


def test_recording_facts(search: LedgerSearch, seeded: Seeded) -> None:
    recording = search.recording(seeded.reason_recording_id)
    assert recording is not None
    assert (recording.attempt_id, recording.kind) == (seeded.complete, "answer")
    assert recording.sha256 is not None and len(recording.sha256) == 64
    assert search.recording(999_999) is None


def test_empty_ledger_has_no_months(search: LedgerSearch) -> None:
    assert search.months() == []
