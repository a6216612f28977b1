"""Report speed: the 考核, the monthly 通报 and the grades over a year of calls on
PostgreSQL (1,000,000 call attempts, 100,000 tickets by default).

The ledger is bulk-loaded with COPY into a fresh schema: 70 units (10 counties, each a
局 with 3 windows and 3 所), cases completed across 2026, the first
attempt of each case unanswered or complete, 2 answers per complete call (a 1-5 scale
and a three-grade question), and tickets opened on complete calls, each re-visited by a
call of its own and some verified, some in a second round. Then each report is run
``--runs`` times; the median wall time is reported (the service's own SQL aggregates,
as the page and the command line call them), and a plain full read of the attempts
beside them as the baseline: the machine is shared, so read the ratios.

    PYTHONPATH=. /var/cache/callcenter/venv/bin/python benchmarks/reports.py [--attempts 1000000] [--tickets 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.reports.period import parse_period
from callcenter.reports.service import ReportService
from callcenter.reports.store import ReportStore

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COUNTIES = 10
GRADES = ("满意", "基本满意", "不满意")


def units() -> Iterator[tuple[int, str, str, int | None]]:
    n = 0
    for c in range(COUNTIES):
        n += 1
        bureau = n
        yield bureau, f"第{c + 1}县局", "bureau", None
        for k in range(3):
            n += 1
            yield n, f"第{c + 1}县窗口{k + 1}", "window", bureau
        for k in range(3):
            n += 1
            yield n, f"第{c + 1}县所{k + 1}", "station", bureau


Attempt = tuple[str, int, int, datetime, str]  # id, case id, attempt no, started, outcome


def calls(cases: int) -> Iterator[tuple[Attempt, bool]]:
    """Each first-level attempt, and whether it may open a ticket: the first call is
    complete 70 % of the time, else unanswered and followed by a complete second."""
    for i in range(cases):
        done = datetime(2026, 1, 1, 2, tzinfo=UTC) + timedelta(days=i * 360 // cases)
        at = done + timedelta(days=5 + i % 20, minutes=i % 600)
        first = "answered_complete" if i % 10 < 7 else "no_answer"
        yield (f"c{i:08d}-1", i + 1, 1, at, first), first == "answered_complete"
        if first != "answered_complete":
            when = at + timedelta(days=1)
            yield (f"c{i:08d}-2", i + 1, 2, when, "answered_complete"), True


def _row(a: Attempt) -> tuple[object, ...]:
    aid, case_id, n, when, outcome = a
    answered = when if outcome == "answered_complete" else None
    return (aid, case_id, "bench", n, when, answered, when, outcome, "", when)


def load(url: str, attempts: int, tickets: int) -> dict[str, int]:
    """Fill the schema at ``url`` with COPY; returns the row counts."""
    engine = make_engine(url)
    migrate(engine)
    unit_rows = list(units())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # 1.3 first-level calls a case (70 % complete at the first), plus a re-visit call a
    # ticket, make ``attempts``
    cases = round((attempts - tickets) / 1.3)
    counts = {"units": len(unit_rows), "cases": cases}
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy("COPY units (id, name, kind, parent_id) FROM STDIN") as cp:
            for row in unit_rows:
                cp.write_row(row)
        with cur.copy(
            "COPY cases (id, case_no, unit_id, applicant_name, applicant_org, title, phone,"
            " matter, completed_on, is_complaint, created_at) FROM STDIN"
        ) as cp:
            for i in range(cases):
                done = date(2026, 1, 1) + timedelta(days=i * 360 // cases)
                cp.write_row(
                    (
                        i + 1,
                        f"B{i:08d}",
                        i % len(unit_rows) + 1,
                        "王伟",
                        "",
                        "先生",
                        "13800000000",
                        "营业执照变更",
                        done,
                        i % 50 == 0,
                        start,
                    )
                )
        with cur.copy(
            "COPY call_attempts (id, case_id, script_id, attempt_no, started_at, answered_at,"
            " ended_at, outcome, note, created_at) FROM STDIN"
        ) as cp:
            for attempt, _ in calls(cases):
                cp.write_row(_row(attempt))
        complete: list[tuple[int, str, datetime]] = []
        answers = 0
        # one COPY at a time on a connection: the answers in a second pass
        with cur.copy(
            "COPY answers (attempt_id, question_id, label, kind, keys, value, score,"
            " answered_at) FROM STDIN"
        ) as ap:
            for attempt, opens in calls(cases):
                aid, case_id, _, when, outcome = attempt
                if outcome != "answered_complete":
                    continue
                i = case_id - 1
                score = 1 + i % 5
                ap.write_row((aid, "q1", "服务态度", "scale", str(score), "非常满意", score, when))
                ap.write_row((aid, "g", "总体评价", "choice", "1", GRADES[i % 3], None, when))
                answers += 2
                if opens:
                    complete.append((case_id, aid, when))
        counts["answers"] = answers
        step = max(1, len(complete) // tickets)
        opened = complete[::step][:tickets]
        revisits = 0
        with cur.copy(
            "COPY tickets (id, year, seq, kind, state, round, version, case_id, unit_id, cycle,"
            " source, attempt_id, channel, complaint, question_ids, handler, opened_at,"
            " flagged, updated_at) FROM STDIN"
        ) as tp:
            for t, (case_id, aid, when) in enumerate(opened, start=1):
                rounds = 2 if t % 7 == 0 else 1
                tp.write_row(
                    (
                        t,
                        2026,
                        t,
                        "rectification",
                        "closed" if t % 3 else "verifying",
                        rounds,
                        1,
                        case_id,
                        (case_id - 1) % len(unit_rows) + 1,
                        when.strftime("%Y-%m"),
                        "call",
                        aid,
                        "电话回访",
                        "不满意",
                        "q1",
                        "",
                        when,
                        False,
                        when,
                    )
                )
        with cur.copy(
            "COPY call_attempts (id, case_id, script_id, attempt_no, started_at, answered_at,"
            " ended_at, outcome, note, created_at) FROM STDIN"
        ) as cp:
            for t, (case_id, _, when) in enumerate(opened, start=1):
                at = when + timedelta(days=4)
                cp.write_row(
                    (f"r{t:08d}", case_id, "revisit", 9, at, at, at, "answered_complete", "", at)
                )
                revisits += 1
        with cur.copy(
            "COPY ticket_rounds (ticket_id, round, started_at, revisit_at, revisit_result,"
            " revisit_attempt_id, verified_at, applicant_satisfied, conclusion) FROM STDIN"
        ) as rp:
            for t, (_, _, when) in enumerate(opened, start=1):
                satisfied = t % 3 != 0
                revisit = when + timedelta(days=4)
                verified = None if satisfied else revisit + timedelta(days=2)
                rp.write_row(
                    (
                        t,
                        1,
                        when,
                        revisit,
                        "satisfied" if satisfied else "unsatisfied",
                        f"r{t:08d}",
                        verified,
                        None if satisfied else t % 2 == 0,
                        None if satisfied else ("returned" if t % 7 == 0 else "satisfied"),
                    )
                )
                if t % 7 == 0:
                    later = revisit + timedelta(days=10)
                    rp.write_row(
                        (
                            t,
                            2,
                            later,
                            later,
                            "unsatisfied",
                            None,
                            later + timedelta(days=2),
                            t % 2 == 1,
                            "satisfied",
                        )
                    )
        raw.commit()
        counts["attempts"] = cases + sum(1 for i in range(cases) if i % 10 >= 7) + revisits
        counts["tickets"] = len(opened)
        for table in ("units", "cases", "call_attempts", "answers", "tickets", "ticket_rounds"):
            cur.execute(f"ANALYZE {table}")
        cur.execute("SELECT setval(pg_get_serial_sequence('units', 'id'), 1000)")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return counts


def timed(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the loaded schema behind")
    parser.add_argument("--schema", help="a schema --keep left: time it again, load nothing")
    args = parser.parse_args()
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    schema = args.schema or f"bench_{uuid.uuid4().hex[:12]}"
    if not args.schema:
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        t0 = time.perf_counter()
        counts = {} if args.schema else load(url, args.attempts, args.tickets)
        loaded = time.perf_counter() - t0
        print(json.dumps({"loaded": counts, "seconds": round(loaded, 1)}), flush=True)
        engine = make_engine(url)
        service = ReportService(ReportStore(session_factory(engine)), FixedClock(datetime.now(UTC)))
        month, quarter = parse_period("2026-11"), parse_period("2026-Q4")

        def baseline() -> None:
            # one full read of the attempts: what the machine's load does to a plain scan
            with engine.connect() as c:
                c.execute(text("SELECT count(*) FROM call_attempts")).scalar_one()

        cases = {
            "baseline: count(*) of call_attempts": baseline,
            "kpi 2026-11 (第十五条 + 第十六条)": lambda: service.kpi(month),
            "kpi 2026-Q4": lambda: service.kpi(quarter),
            "monthly 2026-11 (义马)": lambda: service.monthly(month),
            "grades 2026-Q4 (烟台)": lambda: service.grades(quarter),
            "kpi page's trend, 6 months": lambda: service.trend(month),
        }
        results: dict[str, object] = {
            "loaded": counts,
            "load_seconds": round(loaded, 1),
            "runs": args.runs,
            "loadavg_before": os.getloadavg()[0],
        }
        base = 1.0
        for name, fn in cases.items():
            fn()  # warm the connection pool and the caches once
            seconds = timed(fn, args.runs)
            results[name] = round(seconds, 3)
            if name.startswith("baseline"):
                base = seconds
            ratio = round(seconds / base, 1)
            results[f"{name} ÷ baseline"] = ratio
            print(
                json.dumps({name: round(seconds, 3), "÷ baseline": ratio}, ensure_ascii=False),
                flush=True,
            )
        results["loadavg_after"] = os.getloadavg()[0]
        engine.dispose()
        RESULTS.mkdir(exist_ok=True)
        if not args.schema:
            (RESULTS / "reports.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    finally:
        if args.keep or args.schema:
            print(f"schema {schema} kept", flush=True)
        else:
            with admin.connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
