"""End to end: a simulated applicant speaks a suggestion on a real call through Asterisk;
the call ends with its recordings sealed, and a real transcription worker on the real
Redis puts the text into the ledger and the 台账 while nobody waits for it.

(a) Vosk with the Korean model on Korean speech (espeak-ng), (b) faster-whisper on
Mandarin speech (the prompts' own TTS). Each call is placed by the controller as in
production; the controller only queues the transcription.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.calls.call import CallResult
from callcenter.calls.recording import seal
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.prompts.audio import duration_seconds
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import SIM_SPEECH, SIM_SPEECH_KO, sim_sounds
from callcenter.transcription.cer import score, word_recall
from callcenter.transcription.store import DONE, FAILED, TranscriptState, TranscriptStore
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings
from tests.transcription.conftest import korean_model_dir, whisper_model_dir
from tests.transcription.worker import WorkerProcess, poll

pytestmark = [pytest.mark.asterisk, pytest.mark.redis]

# Everything 满意, then 有意见建议 (key 1), says the sentence, ends it with #.
ANSWERS = ["b1"] * 6 + ["b2", "b1"]


@dataclass
class Spoken:
    result: CallResult
    ledger: Ledger
    settings: Settings
    transcript: TranscriptState
    sound: Path


def _call(settings: Settings, ledger: Ledger, phone: str, speech: str) -> CallResult:
    behaviour = simulator.answer(*ANSWERS, f"t{speech}", "k#", "h")

    async def run() -> CallResult:
        ledger.upsert_unit("城区市场监管所", "station")
        case_id = ledger.add_case(
            f"E2E-STT-{phone}-{uuid.uuid4().hex[:6]}", "城区市场监管所", "王伟", phone,
            "个体工商户设立登记", date(2026, 10, 9), title="先生",
        )  # fmt: skip
        async with AriClient(settings.ari) as ari:
            await simulator.program(ari, phone, behaviour)
        async with bootstrap.controller(settings, ledger) as ctl:
            return await ctl.call(ledger.case_info(case_id))

    return asyncio.run(run())


@pytest.fixture(scope="module", params=["vosk-ko", "whisper-zh"])
def spoken(
    request: pytest.FixtureRequest, sandbox: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Spoken:
    tmp = tmp_path_factory.mktemp(request.param)
    url = f"sqlite:///{tmp / 'ledger.db'}"
    if request.param == "vosk-ko":
        engine = {"engine": "vosk", "vosk_model_dir": str(korean_model_dir())}
        speech, phone = "speech_ko", "13900000301"
    else:
        engine = {"engine": "faster-whisper", "whisper_model_dir": str(whisper_model_dir())}
        speech, phone = "speech", "13900000302"
    worker = WorkerProcess(
        tmp / "worker.log",
        database_url=url,
        storage_root=str(TEST_STORAGE),
        **{f"transcription__{k}": v for k, v in engine.items()},
    )
    settings = e2e_settings(
        database_url=url,
        # an ARI application of its own: a controller another test run has connected
        # under the default name would otherwise receive this call's events
        ari={"app": f"callcenter-stt-{uuid.uuid4().hex[:8]}"},
        transcription={"enabled": True, "queue": worker.queue, **engine},
    )
    worker.start()
    try:
        with bootstrap.open_ledger(settings) as ledger:
            result = _call(settings, ledger, phone, speech)
            store = TranscriptStore(ledger.sessions)

            def finished() -> TranscriptState | None:
                state = store.state(result.attempt_id, "q7_detail")
                return state if state.status in (DONE, FAILED) else None

            transcript = poll(finished, 120, "no transcript in the ledger", worker.tail())
            return Spoken(result, ledger, settings, transcript, sim_sounds(sandbox)[speech])
    finally:
        worker.stop()


def test_the_call_completes_with_the_suggestion_recorded(spoken: Spoken) -> None:
    r = spoken.result
    assert r.outcome is Outcome.COMPLETE
    assert {a.question_id: a.value for a in r.answers}["q7_suggestion"] == "有"
    record = LedgerReader(spoken.ledger.sessions).call(r.attempt_id)
    recs = {rec.question_id: rec for rec in record.recordings}
    detail = recs["q7_detail"]
    wav = TEST_STORAGE / detail.path
    assert seal(wav).sha256 == detail.sha256
    # the sentence, then the silence the applicant waits before pressing #
    said = duration_seconds(spoken.sound)
    assert detail.duration_seconds is not None
    assert said - 0.5 < detail.duration_seconds < said + 4.0, (detail.duration_seconds, said)


def test_the_whole_call_recording_survives(spoken: Spoken) -> None:
    record = LedgerReader(spoken.ledger.sessions).call(spoken.result.attempt_id)
    a, call = record.attempt, record.recordings[0]
    assert call.kind == "call" and call.duration_seconds is not None
    assert a.answered_at is not None and a.ended_at is not None
    talk = (a.ended_at - a.answered_at).total_seconds()
    assert abs(call.duration_seconds - talk) < 2.5, (call.duration_seconds, talk)
    assert seal(TEST_STORAGE / call.path).sha256 == call.sha256


def test_the_worker_wrote_what_was_said(spoken: Spoken) -> None:
    t = spoken.transcript
    assert t.status == DONE and t.runs == 1, t
    assert t.text
    if t.engine == "vosk":
        assert word_recall(SIM_SPEECH_KO, t.text) >= 0.5, t.text
    else:
        assert t.engine == "faster-whisper"
        assert score(SIM_SPEECH, t.text).cer <= 0.4, t.text
    reader = LedgerReader(spoken.ledger.sessions)
    [row] = reader.taizhang(attempt_ids=[spoken.result.attempt_id])
    assert f"意见建议：有（{t.text}）" in row.phone_record
