"""The auditors' pages under a realistic ledger: request latency, integrity-check cost.

Seeds a ledger of N finished calls through the Ledger API (a fifth with transcribed
answers, one with a 10-minute whole-call recording), serves the application on
127.0.0.1 and times sequential requests as one auditor: the search page unfiltered,
by month and unit, by transcript keyword; a call page with its recording's SHA-256
computed anew (cold) and from the digest cache (warm); the 10-minute recording
streamed whole; a seek (range request). Also the cost of one Argon2id password check.
Medians and p95 of R repetitions, in milliseconds.

    python benchmarks/web.py --calls 2000 [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import re
import statistics
import sys
import tempfile
import time
import wave
from array import array
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer

from callcenter.access.accounts import Accounts
from callcenter.access.passwords import hash_password, verify_password
from callcenter.calls import keys as call_keys
from callcenter.calls.store import Ledger
from callcenter.entrypoints.web import create_app
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.settings import load_settings
from callcenter.transcription.store import TranscriptStore

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "benchmark-password-1"
UNITS = [f"义马市市场监督管理局第{i}所" for i in range(1, 9)]
WORDS = ["排队", "态度", "效率", "收费", "材料", "窗口", "周末", "网上办理"]


def write_wav(path: Path, seconds: float) -> str:
    frames = array("h", (int(6000 * math.sin(i / 7)) for i in range(int(8000 * seconds))))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames.tobytes())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed(ledger: Ledger, storage: Path, calls: int) -> tuple[str, int]:
    ledger.upsert_unit("义马市市场监督管理局", kind="bureau")
    for unit in UNITS:
        ledger.upsert_unit(unit, kind="station", parent="义马市市场监督管理局")
    start = datetime(2026, 9, 1, 9, 0, tzinfo=BEIJING)
    transcripts = TranscriptStore(ledger.sessions)
    long_call = ""
    for n in range(calls):
        unit = UNITS[n % len(UNITS)]
        case = ledger.add_case(
            f"YM-B-{n:06d}",
            unit,
            f"申请人{n}",
            f"138{n:08d}",
            "个体工商户设立登记",
            date(2026, 9, 1),
        )
        attempt = f"bench-{n:06d}"
        at = start + timedelta(minutes=37 * n)
        ledger.start_attempt(attempt, case, "yima_phone_followup", at)
        ledger.mark_answered(attempt, at + timedelta(seconds=6))
        score = 3 if n % 5 == 0 else 1
        ledger.save_answer(attempt, Answer("q1", "服务环境", "scale", "1", "非常满意", score=1))
        ledger.save_answer(
            attempt, Answer("q2", "服务态度", "scale", str(score), "一般", score=score)
        )
        if n % 5 == 0:
            folder = storage / "recordings" / attempt
            folder.mkdir(parents=True, exist_ok=True)
            wav = folder / "q2_reason.wav"
            digest = write_wav(wav, 1.0)
            ledger.save_answer(
                attempt,
                Answer("q2_reason", "服务态度不满意情形", "recording", recording=wav),
                storage,
            )
            ledger.seal_recording(
                attempt,
                wav,
                duration=1.0,
                sha256=digest,
                question_id="q2_reason",
                storage_root=storage,
            )
            transcripts.done(
                attempt, "q2_reason", f"关于{WORDS[n % len(WORDS)]}的意见，第{n}号", "vosk"
            )
        if n == calls // 2:
            long_call = attempt
        ledger.finish_attempt(attempt, Outcome.COMPLETE, 16, at + timedelta(minutes=3))
    folder = storage / "recordings" / long_call
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / "call.wav"
    digest = write_wav(wav, 600.0)
    recording_id = ledger.seal_recording(
        long_call, wav, duration=600.0, sha256=digest, storage_root=storage
    )
    return long_call, recording_id


async def timed(repeat: int, request: Callable[[], Awaitable[None]]) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await request()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 2),
    }


async def run(calls: int, repeat: int, database_url: str | None, tmp: Path) -> dict[str, object]:
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    storage = tmp / "storage"
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    t0 = time.perf_counter()
    long_call, recording_id = seed(Ledger(sessions), storage, calls)
    seeded_s = time.perf_counter() - t0
    Accounts(sessions).add_user("bench", "auditor", hash_password(PASSWORD))
    settings = load_settings(database_url=url, storage_root=storage)
    app = create_app(settings, engine=engine)
    results: dict[str, object] = {"calls": calls, "repeat": repeat, "seed_s": round(seeded_s, 1)}
    async with TestClient(TestServer(app)) as client:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        await client.post(
            "/login", data={"csrf_token": token[1], "username": "bench", "password": PASSWORD}
        )

        def get(path: str, **kw: object) -> Callable[[], Awaitable[None]]:
            async def go() -> None:
                response = await client.get(path, **kw)  # type: ignore[arg-type]
                assert response.status in (200, 206), response.status
                await response.read()

            return go

        results["search_all"] = await timed(repeat, get("/"))
        results["search_month_unit"] = await timed(
            repeat, get("/", params={"month": "2026-10", "unit": UNITS[3]})
        )
        results["search_keyword"] = await timed(repeat, get("/", params={"q": "排队"}))
        results["search_follow_up"] = await timed(repeat, get("/", params={"score": "3+"}))
        verifier = app[call_keys.VERIFIER]

        async def cold_call_page() -> None:
            verifier._cache.clear()  # every time the file's digest is computed anew
            await get(f"/calls/{long_call}")()

        results["call_page_cold_hash_10min"] = await timed(repeat, cold_call_page)
        results["call_page_warm"] = await timed(repeat, get(f"/calls/{long_call}"))
        results["recording_10min_whole"] = await timed(repeat, get(f"/recordings/{recording_id}"))
        results["recording_seek_64k"] = await timed(
            repeat, get(f"/recordings/{recording_id}", headers={"Range": "bytes=4800000-4865535"})
        )
    stored = hash_password(PASSWORD)
    samples = []
    for _ in range(10):
        t = time.perf_counter()
        verify_password(stored, PASSWORD)
        samples.append((time.perf_counter() - t) * 1000)
    results["argon2id_verify_ms"] = round(statistics.median(samples), 1)
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="callcenter-web-bench-") as tmp:
        results = asyncio.run(run(args.calls, args.repeat, args.database_url, Path(tmp)))
    backend = (args.database_url or "sqlite").split(":", 1)[0].split("+", 1)[0]
    results["database"] = backend
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"web-{backend}-{args.calls}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
