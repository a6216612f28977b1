"""Follow-up calls end to end: real Asterisk, real SIP/RTP, RFC 4733 keys, real ledger.

Every scenario is a simulated applicant on the sandbox's second SIP transport. All
scenarios of a backend run at once (as a campaign would), then each test checks one.
"""

from __future__ import annotations

import asyncio
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from callcenter import bootstrap
from callcenter.calls.call import CallResult
from callcenter.calls.recording import seal
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import parts
from callcenter.ledger.record import CallRecord
from callcenter.ledger.store import LedgerReader
from callcenter.ledger.taizhang import TaizhangRow
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk

NO_INPUT = "没有收到您的按键，请再听一遍。"

SCENARIOS = {
    # listens to the first three questions to their end before pressing (within a few
    # seconds, before the question is repeated), then presses early
    "full_listening": "answer/k1/k1/k2/b1/b1/b1/b2/b2/h",
    # presses during prompts; unhappy with the environment, has a suggestion
    "low_score": "answer/b1/b3/t/k#/b1/b1/b1/b1/b2/b1/t/k#/h",
    # presses 3 twice: the second 3 falls into the question asking why
    "stray_key": "answer/b1/b3/b3/t/k#/b1/b1/b1/b1/b2/b2/h",
    "refusal": "answer/b2",
    # a wrong key during the question, then the right one after hearing it again
    "invalid_then_valid": "answer/b1/b9/k2/b1/b1/b1/b1/b2/b2/h",
    "no_input": "answer/b1",
    # listens to the question, then takes longer than the key timeout to press
    "slow_key": "answer/b1/s/w5/b2/b1/b1/b1/b1/b2/b2/h",
    "hangup_midway": "answer/b1/b1/b2/h",
    "busy": "busy",
    "no_answer": "noanswer",
    "congestion": "congestion",
    "reject": "reject",
}


@dataclass
class Outcomes:
    results: dict[str, CallResult]
    attempts: dict[str, CallRecord]
    rows: list[TaizhangRow]
    ledger: Ledger
    settings: Settings


async def _run_all(settings: Settings, ledger: Ledger, base: int) -> dict[str, CallResult]:
    infos = {}
    ledger.upsert_unit("城区市场监管所", "station")
    for i, (name, _behaviour) in enumerate(SCENARIOS.items()):
        phone = str(base + i)
        case_id = ledger.add_case(
            f"E2E-{base}-{name}",
            "城区市场监管所",
            "王伟",
            phone,
            "个体工商户设立登记",
            date(2026, 10, 9),
            title="先生",
        )
        infos[name] = ledger.case_info(case_id)
    async with AriClient(settings.ari) as ari:
        for name, info in infos.items():
            await simulator.program(ari, info.phone, SCENARIOS[name])
    async with bootstrap.controller(settings, ledger) as ctl:
        done = await asyncio.gather(*(ctl.call(info) for info in infos.values()))
    return dict(zip(infos, done, strict=True))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def outcomes(
    request: pytest.FixtureRequest, sandbox: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Outcomes]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'ledger.db'}"
        base = 13900000100
    else:
        admin: Engine = request.getfixturevalue("postgres_admin")
        schema = f"e2e_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
        base = 13900000200
    settings = e2e_settings(database_url=url)
    with bootstrap.open_ledger(settings) as ledger:
        results = asyncio.run(_run_all(settings, ledger, base))
        reader = LedgerReader(ledger.sessions)
        attempts = {name: reader.call(r.attempt_id) for name, r in results.items()}
        rows = reader.taizhang()
        yield Outcomes(results, attempts, rows, ledger, settings)
    if schema is not None:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def answers(o: Outcomes, name: str) -> dict[str, str | None]:
    return {a.question_id: a.value for a in o.attempts[name].answers}


def test_full_interview_records_every_answer(outcomes: Outcomes) -> None:
    a = outcomes.attempts["full_listening"].attempt
    assert a.outcome is Outcome.COMPLETE and a.answered_at is not None
    assert answers(outcomes, "full_listening") == {
        "consent": "方便",
        "q1_environment": "非常满意",
        "q2_attitude": "比较满意",
        "q3_competence": "非常满意",
        "q4_one_time_notice": "是",
        "q5_efficiency": "非常满意",
        "q6_integrity": "否",
        "q7_suggestion": "无",
    }
    played = outcomes.results["full_listening"].played
    assert played[0] == "您好，我是义马市市场监管局回访员，请问你是王伟先生吗？"
    assert "感谢您的支持和配合！" in played
    # each key came after its question, before the key timeout: none was asked twice
    assert played.count(NO_INPUT) == 0


def test_refusal_at_consent(outcomes: Outcomes) -> None:
    a = outcomes.attempts["refusal"].attempt
    assert a.outcome is Outcome.REFUSED
    assert answers(outcomes, "refusal") == {"consent": "不方便"}
    assert outcomes.results["refusal"].played[-1].startswith("好的，打扰您了")


def test_low_score_records_the_reason(outcomes: Outcomes) -> None:
    a = outcomes.attempts["low_score"]
    assert a.attempt.outcome is Outcome.COMPLETE
    got = answers(outcomes, "low_score")
    assert got["q1_environment"] == "一般" and got["q7_suggestion"] == "有"
    recorded = {x.question_id: x.as_answer().recording for x in a.answers if x.kind == "recording"}
    assert set(recorded) == {"q1_reason", "q7_detail"}
    for rel in recorded.values():
        assert rel is not None
        wav = TEST_STORAGE / rel
        assert wav.is_file(), wav
        # the simulated applicant spoke a sentence of about 5 s into each recording
        seconds = (wav.stat().st_size - 44) / 16000
        assert 3.0 < seconds < 30, (wav, seconds)


def test_whole_call_is_recorded_and_sealed(outcomes: Outcomes) -> None:
    for name in ("full_listening", "low_score", "hangup_midway"):
        a = outcomes.attempts[name].attempt
        call = outcomes.attempts[name].recordings[0]
        assert call.kind == "call" and call.question_id is None
        assert a.answered_at is not None and a.ended_at is not None
        talk = (a.ended_at - a.answered_at).total_seconds()
        assert call.duration_seconds is not None
        # from the answer to the hang-up, give or take set-up and tear-down
        assert abs(call.duration_seconds - talk) < 2.5, (name, call.duration_seconds, talk)
        wav = TEST_STORAGE / call.path
        assert seal(wav).sha256 == call.sha256
    answers_sealed = [r for r in outcomes.attempts["low_score"].recordings if r.kind == "answer"]
    assert [r.question_id for r in answers_sealed] == ["q1_reason", "q7_detail"]
    assert all(r.sha256 and r.duration_seconds and r.duration_seconds > 3 for r in answers_sealed)


def test_invalid_key_then_valid_key(outcomes: Outcomes) -> None:
    r = outcomes.results["invalid_then_valid"]
    assert r.outcome is Outcome.COMPLETE
    assert answers(outcomes, "invalid_then_valid")["q1_environment"] == "比较满意"
    assert r.played.count("输入有误。") == 1
    # the valid key answered the question asked again after 输入有误, not a repeat
    assert r.played.count(NO_INPUT) == 0


def test_a_stray_key_does_not_skip_the_recorded_question(outcomes: Outcomes) -> None:
    a = outcomes.attempts["stray_key"]
    assert a.attempt.outcome is Outcome.COMPLETE
    got = {x.question_id: x for x in a.answers}
    assert got["q1_environment"].value == "一般" and got["q2_attitude"].value == "非常满意"
    # the recording started only once the whole question had been heard
    [why] = [q for q in bootstrap.script(outcomes.settings).questions() if q.id == "q1_reason"]
    question = [*parts(why.text), why.instruction]
    assert all(t in outcomes.results["stray_key"].played for t in question)
    prompts = bootstrap.prompt_cache(outcomes.settings)
    seconds = sum(_wav_seconds(p) for p in prompts.render_many((t, None) for t in question))
    answered = got["q1_reason"].answered_at - got["q1_environment"].answered_at
    assert answered.total_seconds() > seconds, (answered, seconds)
    assert got["q1_reason"].recording is not None


def test_no_input_twice_ends_the_call(outcomes: Outcomes) -> None:
    a = outcomes.attempts["no_input"].attempt
    assert a.outcome is Outcome.PARTIAL
    assert a.note == "无按键应答，已答0题"
    played = outcomes.results["no_input"].played
    assert played.count("没有收到您的按键，请再听一遍。") == 1
    assert played[-1].startswith("由于没有收到您的按键")


def test_slow_key_is_taken_on_the_repeat(outcomes: Outcomes) -> None:
    r = outcomes.results["slow_key"]
    assert r.outcome is Outcome.COMPLETE
    assert answers(outcomes, "slow_key")["q1_environment"] == "比较满意"
    assert r.played.count(NO_INPUT) == 1


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_hangup_midway_keeps_what_was_said(outcomes: Outcomes) -> None:
    a = outcomes.attempts["hangup_midway"].attempt
    assert a.outcome is Outcome.PARTIAL
    assert a.note == "中途挂断，已答2题"
    assert answers(outcomes, "hangup_midway") == {
        "consent": "方便",
        "q1_environment": "非常满意",
        "q2_attitude": "比较满意",
    }


@pytest.mark.parametrize(
    ("name", "outcome", "cause"),
    [
        ("busy", Outcome.BUSY, 17),
        ("no_answer", Outcome.NO_ANSWER, 19),
        ("congestion", Outcome.CONGESTION, 34),
        ("reject", Outcome.REJECTED, 21),
    ],
)
def test_unanswered_outcomes_from_the_hangup_cause(
    outcomes: Outcomes, name: str, outcome: Outcome, cause: int
) -> None:
    a = outcomes.attempts[name]
    assert (a.attempt.outcome, a.attempt.hangup_cause, a.attempt.answered_at, a.answers) == (
        outcome,
        cause,
        None,
        (),
    )


def test_every_call_written_once_in_the_taizhang(outcomes: Outcomes) -> None:
    assert len(outcomes.rows) == len(SCENARIOS)
    assert all(a.attempt.finished for a in outcomes.attempts.values())
    assert outcomes.ledger.unfinished_attempts() == []
    by_remark = {r.remark for r in outcomes.rows}
    assert any("拒绝回访" in r for r in by_remark)
    assert any("占线" in r for r in by_remark)
    full = next(r for r in outcomes.rows if "服务环境：非常满意" in r.phone_record)
    assert full.unit == "城区市场监管所" and full.matter == "个体工商户设立登记"


def test_key_press_to_next_prompt_is_measured(outcomes: Outcomes) -> None:
    lat = outcomes.results["full_listening"].key_latencies
    assert len(lat) >= 8 and all(0 <= x < 2.0 for x in lat)
