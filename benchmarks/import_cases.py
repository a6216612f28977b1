"""Import speed: 100,000 completed cases from a CSV and an XLSX export.

For each file and database (SQLite, PostgreSQL): the wall time to import into an empty
ledger (every row checked, phones normalised, units created, cases written), and to
import the same file again (nothing added). Medians over ``--runs``.

    PYTHONPATH=. /var/cache/callcenter/venv/bin/python benchmarks/import_cases.py [--rows 100000] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.cases.importer import import_cases
from callcenter.cases.store import CaseImport
from callcenter.kernel.database import make_engine, migrate, session_factory

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HEADER = ["办件编号", "办理窗口", "办理事项", "申请人", "称谓", "联系电话", "办结日期", "是否投诉"]
UNITS = [
    "政务服务中心市场监管窗口",
    "城区市场监管所",
    "千秋市场监管所",
    "东区市场监管所",
    "新区市场监管所",
]
MATTERS = ["个体工商户设立登记", "食品经营许可证核发", "企业变更登记", "营业执照补领"]


def rows(n: int) -> list[list[object]]:
    rng = random.Random(1)
    out: list[list[object]] = []
    for i in range(n):
        phone = (
            str(13800000000 + rng.randrange(10**8))
            if i % 10
            else f"0398-{5000000 + rng.randrange(10**6)}"
        )
        out.append(
            [
                f"YM{i:08d}",
                UNITS[i % len(UNITS)],
                MATTERS[i % len(MATTERS)],
                "王伟",
                "先生",
                phone,
                (date(2026, 10, 1) + timedelta(days=i % 31)).isoformat(),
                "是" if i % 97 == 0 else "否",
            ]
        )
    # a realistic sprinkle of bad rows: 0.5 % missing area codes
    for i in range(0, n, 200):
        out[i][5] = "5831315"
    return out


def write_csv(path: Path, data: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(data)
    return path


def write_xlsx(path: Path, data: list[list[object]]) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for r in data:
        sheet.append(r)
    book.save(path)
    return path


def fresh_database(kind: str, tmp: Path) -> tuple[str, object]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{uuid.uuid4().hex}.db'}", None
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{POSTGRES}?options=-csearch_path%3D{schema}", (admin, schema)


def drop(handle: object) -> None:
    if handle is None:
        return
    admin, schema = handle  # type: ignore[misc]
    with admin.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def once(path: Path, kind: str, tmp: Path) -> tuple[float, float, int, int]:
    url, handle = fresh_database(kind, tmp)
    engine = make_engine(url)
    try:
        migrate(engine)
        store = CaseImport(session_factory(engine))
        t0 = time.perf_counter()
        first = import_cases(path, store, "义马市市场监督管理局")
        t1 = time.perf_counter()
        again = import_cases(path, store, "义马市市场监督管理局")
        t2 = time.perf_counter()
        assert again.imported == 0 and again.already_present == first.imported
        return t1 - t0, t2 - t1, first.imported, len(first.rejected)
    finally:
        engine.dispose()
        drop(handle)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10,000 rows, one run")
    args = parser.parse_args()
    n, runs = (10_000, 1) if args.quick else (args.rows, args.runs)
    data = rows(n)
    results = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = {
            "csv": write_csv(tmp / "cases.csv", data),
            "xlsx": write_xlsx(tmp / "cases.xlsx", data),
        }
        for fmt, path in files.items():
            for kind in ("sqlite", "postgresql"):
                times = [once(path, kind, tmp) for _ in range(runs)]
                first = statistics.median(t[0] for t in times)
                again = statistics.median(t[1] for t in times)
                row = {
                    "format": fmt,
                    "database": kind,
                    "rows": n,
                    "imported": times[0][2],
                    "rejected": times[0][3],
                    "import_s": round(first, 2),
                    "rows_per_s": round(n / first),
                    "reimport_s": round(again, 2),
                    "runs": runs,
                }
                print(json.dumps(row), flush=True)
                results.append(row)
    RESULTS.mkdir(exist_ok=True)
    name = "import_cases-quick.json" if args.quick else "import_cases.json"
    (RESULTS / name).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
