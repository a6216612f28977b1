"""The transcription task in a real worker process on the real Redis: text into the
ledger, a second delivery ignored, failures retried and then marked, timeouts too."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis

from callcenter.bootstrap import make_celery
from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.ledger.store import LedgerReader
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.sandbox.cli import SIM_SPEECH
from callcenter.transcription.cer import score
from callcenter.transcription.queue import TranscriptionQueue
from callcenter.transcription.store import (
    DONE,
    FAILED,
    FAILED_TEXT,
    TranscriptState,
    TranscriptStore,
)
from tests.transcription.conftest import whisper_model_dir
from tests.transcription.worker import REDIS_URL, WorkerProcess, poll

pytestmark = pytest.mark.redis

T0 = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)


@dataclass
class Setup:
    ledger: Ledger
    store: TranscriptStore
    queue: TranscriptionQueue
    worker: WorkerProcess
    storage: Path


@pytest.fixture(scope="module")
def redis_up() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc} (make services)", pytrace=False)
    finally:
        client.close()


@contextmanager
def running(tmp: Path, mandarin: PromptCache, **worker_settings: str) -> Iterator[Setup]:
    storage = tmp / "storage"
    (storage / "recordings" / "a1").mkdir(parents=True)
    shutil.copyfile(mandarin.render(SIM_SPEECH), storage / "recordings" / "a1" / "q7_detail.wav")
    url = f"sqlite:///{tmp / 'ledger.db'}"
    engine = make_engine(url)
    migrate(engine)
    ledger = Ledger(session_factory(engine))
    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "T-1", "城区市场监管所", "王伟", "13900000001", "个体工商户设立登记", date(2026, 10, 9)
    )
    ledger.start_attempt("a1", case_id, "yima_phone_followup", T0)
    for answer in (
        Answer("q2_attitude", "服务态度", "scale", "3", "一般", score=3),
        Answer("q2_reason", "服务态度不满意情形", "recording", recording=storage / "gone.wav"),
        Answer("q7_suggestion", "意见建议", "yesno", "1", "有"),
        Answer(
            "q7_detail", "意见建议", "recording", recording=storage / "recordings/a1/q7_detail.wav"
        ),
    ):
        ledger.save_answer("a1", answer, storage)
    ledger.finish_attempt("a1", Outcome.COMPLETE, 16, T0 + timedelta(minutes=3))
    worker = WorkerProcess(
        tmp / "worker.log",
        database_url=url,
        storage_root=str(storage),
        transcription__engine="faster-whisper",
        transcription__whisper_model_dir=str(whisper_model_dir()),
        transcription__retry_delay_seconds="0.2",
        transcription__max_retries="2",
        **worker_settings,
    )
    settings = worker.settings()
    app = make_celery(settings)
    store = TranscriptStore(ledger.sessions)
    worker.start()
    try:
        yield Setup(
            ledger,
            store,
            TranscriptionQueue(app, store, settings.transcription.queue),
            worker,
            storage,
        )
    finally:
        worker.stop()
        app.close()
        engine.dispose()


@pytest.fixture(scope="module")
def setup(
    redis_up: None, tmp_path_factory: pytest.TempPathFactory, mandarin: PromptCache
) -> Iterator[Setup]:
    with running(tmp_path_factory.mktemp("worker"), mandarin) as s:
        yield s


def finished(s: Setup, question_id: str) -> TranscriptState | None:
    state = s.store.state("a1", question_id)
    return state if state.status in (DONE, FAILED) else None


def test_the_worker_writes_the_text_into_the_ledger(setup: Setup) -> None:
    assert setup.queue.queue("a1", "q7_detail")
    state = poll(lambda: finished(setup, "q7_detail"), 60, "no transcript", setup.worker.tail())
    assert (state.status, state.engine, state.runs) == (DONE, "faster-whisper", 1)
    assert state.text is not None and score(SIM_SPEECH, state.text).cer <= 0.35, state.text
    [row] = LedgerReader(setup.ledger.sessions).taizhang()
    assert f"意见建议：有（{state.text}）" in row.phone_record


def test_a_second_delivery_does_nothing(setup: Setup) -> None:
    poll(lambda: finished(setup, "q7_detail"), 60, "no transcript", setup.worker.tail())
    before = setup.worker.tail().count("nothing to do")
    assert not setup.queue.queue("a1", "q7_detail")  # already done: not even sent
    setup.queue.app.send_task(
        "callcenter.transcription.transcribe", args=["a1", "q7_detail"], queue=setup.worker.queue
    )
    poll(
        lambda: setup.worker.tail().count("nothing to do") > before or None,
        30,
        "the duplicate was not consumed",
        setup.worker.tail(),
    )
    assert setup.store.state("a1", "q7_detail").runs == 1


def test_a_failing_recording_is_retried_then_marked(setup: Setup) -> None:
    setup.queue.queue("a1", "q2_reason")
    state = poll(lambda: finished(setup, "q2_reason"), 60, "never given up", setup.worker.tail())
    assert (state.status, state.text, state.runs) == (FAILED, FAILED_TEXT, 3)
    assert state.error is not None and "gone.wav does not exist (run 3)" in state.error
    [row] = LedgerReader(setup.ledger.sessions).taizhang()
    assert "服务态度：一般（已录音说明原因，转写失败）" in row.phone_record
    assert setup.worker.tail().count("retrying in") >= 2
    # one engine for every task the worker process ran
    assert setup.worker.log.read_text().count("Whisper model") == 1


def test_a_timed_out_transcription_is_marked(
    redis_up: None, tmp_path: Path, mandarin: PromptCache
) -> None:
    with running(tmp_path, mandarin, transcription__timeout_seconds="0.3") as s:
        s.queue.queue("a1", "q7_detail")
        state = poll(lambda: finished(s, "q7_detail"), 90, "never given up", s.worker.tail())
        assert (state.status, state.text) == (FAILED, FAILED_TEXT)
        assert state.error is not None and "took over 0.3 s" in state.error
