"""A small 台账 for the web tests, written through the Ledger API as the controller would.

Three cases in two units: a complete call in November 2026 with a whole-call recording
and two recorded answers (one transcribed with the keyword 排队), an unanswered call in
October, and a complete, all-satisfied call in November in another unit.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import wave
from array import array
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from callcenter.calls.store import Ledger
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import CAUSE_NO_ANSWER, CAUSE_NORMAL, Outcome
from callcenter.kernel.clock import BEIJING
from callcenter.telephony.prompts.audio import duration_seconds, to_telephone
from callcenter.telephony.prompts.tts import get_engine
from callcenter.transcription.store import TranscriptStore

BUREAU = "义马市市场监督管理局"
STATION = "义马市市场监督管理局千秋所"
WINDOW = "义马市市场监督管理局大厅窗口"

PHONE_1 = "13812345678"
PHONE_2 = "13987654321"
PHONE_3 = "15600001111"

KEYWORD = "排队"
ENGINE = "vosk"  # the engine the transcripts are written as coming from
REASON_TEXT = "窗口排队时间太长，等了一个多小时才办上。"
SUGGESTION_TEXT = "希望周末也能办理业务。"

CALL_SPEECH = (
    "您好，这里是义马市市场监督管理局，我们对您办理的个体工商户设立登记进行电话回访。"
    "请问您对服务态度是否满意？一般。窗口排队时间太长。"
)
REASON_SPEECH = "窗口排队时间太长，等了一个多小时。"


@dataclass(frozen=True)
class Speech:
    """Telephone WAV files made once per test session with the project's TTS."""

    call: Path
    reason: Path


@dataclass(frozen=True)
class Seeded:
    storage_root: Path
    complete: str  # attempt ids
    unanswered: str
    satisfied: str
    call_recording_id: int
    reason_recording_id: int
    call_wav: Path
    reason_wav: Path


def render_speech(directory: Path) -> Speech:
    engine = get_engine("espeak-pinyin")
    out = {}
    for name, text in (("call", CALL_SPEECH), ("reason", REASON_SPEECH)):
        raw = directory / f"{name}-raw.wav"
        engine.synthesize(text, raw)
        out[name] = directory / f"{name}.wav"
        to_telephone(raw, out[name])
    return Speech(call=out["call"], reason=out["reason"])


def tone_speech(directory: Path) -> Speech:
    """Stand-ins for the speech files where only their bytes matter: 8 kHz tones."""
    out = {}
    for name, seconds in (("call", 3.0), ("reason", 1.0)):
        out[name] = directory / f"{name}.wav"
        frames = array("h", (int(8000 * math.sin(i / 8)) for i in range(int(8000 * seconds))))
        with wave.open(str(out[name]), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(frames.tobytes())
    return Speech(call=out["call"], reason=out["reason"])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def beijing(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def seed(ledger: Ledger, storage_root: Path, speech: Speech) -> Seeded:
    ledger.upsert_unit(BUREAU, kind="bureau")
    ledger.upsert_unit(STATION, kind="station", parent=BUREAU)
    ledger.upsert_unit(WINDOW, kind="window", parent=BUREAU)

    case_1 = ledger.add_case(
        "YM-2026-1101", STATION, "张三", PHONE_1, "个体工商户设立登记", date(2026, 11, 2), "先生"
    )
    case_2 = ledger.add_case(
        "YM-2026-1001", WINDOW, "李四", PHONE_2, "食品经营许可", date(2026, 10, 10), "女士"
    )
    case_3 = ledger.add_case(
        "YM-2026-1102",
        WINDOW,
        "王五",
        PHONE_3,
        "营业执照变更登记",
        date(2026, 11, 5),
        "先生",
        applicant_org="义马市王五商贸有限公司",
    )

    # A complete interview with a low score and its recorded reason, and a suggestion.
    complete = "1764124800.101"
    start = beijing(2026, 11, 3, 10, 0)
    answered = start + timedelta(seconds=8)
    ledger.start_attempt(complete, case_1, "yima_phone_followup", start)
    ledger.mark_answered(complete, answered)
    folder = storage_root / "recordings" / complete
    folder.mkdir(parents=True, exist_ok=True)
    reason_wav = folder / "q2_reason.wav"
    shutil.copyfile(speech.reason, reason_wav)
    suggestion_wav = folder / "q7_detail.wav"
    shutil.copyfile(speech.reason, suggestion_wav)
    answers = [
        (1, Answer("consent", "接听意愿", "yesno", "1", "方便")),
        (4, Answer("q1_environment", "服务环境", "scale", "1", "非常满意", score=1)),
        (7, Answer("q2_attitude", "服务态度", "scale", "3", "一般", score=3)),
        (12, Answer("q2_reason", "服务态度不满意情形", "recording", recording=reason_wav)),
        (16, Answer("q3_competence", "业务能力", "scale", "2", "比较满意", score=2)),
        (20, Answer("q7_suggestion", "意见建议", "yesno", "1", "有")),
        (24, Answer("q7_detail", "意见建议", "recording", recording=suggestion_wav)),
    ]
    for seconds, answer in answers:
        at = answered + timedelta(seconds=seconds)
        ledger.save_answer(complete, answer, storage_root, at=at)
    reason_id = ledger.seal_recording(
        complete,
        reason_wav,
        duration=duration_seconds(reason_wav),
        sha256=sha256(reason_wav),
        question_id="q2_reason",
        storage_root=storage_root,
    )
    ledger.seal_recording(
        complete,
        suggestion_wav,
        duration=duration_seconds(suggestion_wav),
        sha256=sha256(suggestion_wav),
        question_id="q7_detail",
        storage_root=storage_root,
    )
    transcripts = TranscriptStore(ledger.sessions)
    transcripts.done(complete, "q2_reason", REASON_TEXT, ENGINE)
    transcripts.done(complete, "q7_detail", SUGGESTION_TEXT, ENGINE)
    call_wav = folder / "call.wav"
    shutil.copyfile(speech.call, call_wav)
    call_id = ledger.seal_recording(
        complete,
        call_wav,
        duration=duration_seconds(call_wav),
        sha256=sha256(call_wav),
        storage_root=storage_root,
    )
    ledger.finish_attempt(
        complete, Outcome.COMPLETE, CAUSE_NORMAL, answered + timedelta(seconds=30)
    )

    unanswered = "1760000000.202"
    start = beijing(2026, 10, 12, 15, 30)
    ledger.start_attempt(unanswered, case_2, "yima_phone_followup", start)
    ledger.finish_attempt(
        unanswered, Outcome.NO_ANSWER, CAUSE_NO_ANSWER, start + timedelta(seconds=30)
    )

    satisfied = "1764300000.303"
    start = beijing(2026, 11, 6, 9, 15)
    ledger.start_attempt(satisfied, case_3, "yima_phone_followup", start)
    ledger.mark_answered(satisfied, start + timedelta(seconds=5))
    for i, (qid, label) in enumerate((("q1_environment", "服务环境"), ("q2_attitude", "服务态度"))):
        ledger.save_answer(
            satisfied,
            Answer(qid, label, "scale", "1", "非常满意", score=1),
            at=start + timedelta(seconds=10 + 5 * i),
        )
    ledger.finish_attempt(satisfied, Outcome.COMPLETE, CAUSE_NORMAL, start + timedelta(seconds=40))

    return Seeded(
        storage_root=storage_root,
        complete=complete,
        unanswered=unanswered,
        satisfied=satisfied,
        call_recording_id=call_id,
        reason_recording_id=reason_id,
        call_wav=call_wav,
        reason_wav=reason_wav,
    )
