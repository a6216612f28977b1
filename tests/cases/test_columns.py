"""Which column is which field: two headers for one field, ``--map``, and re-importing a
corrected export over cases a wrong one filed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from callcenter.calls.store import Ledger
from callcenter.cases.columns import match_headers, parse_mapping
from callcenter.cases.importer import import_cases
from callcenter.cases.store import CaseImport
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.errors import ImportFileError

BUREAU = "义马市市场监督管理局"
# an export naming the bureau (办理单位) and the 窗口 or 所 that handled each case
BOTH = ["办件编号", "办理单位", "窗口/所", "办理事项", "申请人", "联系电话", "办结日期"]
ROWS = [
    ["YM1", BUREAU, "城区市场监管所", "企业变更登记", "王伟", "13800000001", "2026-10-09"],
    [
        "YM2",
        BUREAU,
        "政务服务中心市场监管窗口",
        "食品经营许可",
        "李娜",
        "13800000002",
        "2026-10-10",
    ],
    ["YM3", BUREAU, "千秋市场监管所", "营业执照补领", "张强", "13800000003", "2026-10-11"],
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def units_of(ledger: Ledger) -> dict[str, tuple[str, str]]:
    """case_no → (unit name, unit kind)."""
    with ledger.sessions() as s:
        stmt = select(Case.case_no, Unit.name, Unit.kind).join(Unit, Unit.id == Case.unit_id)
        return {no: (name, kind) for no, name, kind in s.execute(stmt)}


def test_the_window_or_station_column_is_taken_over_the_bureau(
    ledger: Ledger, tmp_path: Path
) -> None:
    f = write(tmp_path / "both.csv", BOTH, ROWS)
    report = import_cases(f, CaseImport(ledger.sessions), BUREAU)
    assert report.imported == 3
    assert units_of(ledger) == {
        "YM1": ("城区市场监管所", "station"),
        "YM2": ("政务服务中心市场监管窗口", "window"),
        "YM3": ("千秋市场监管所", "station"),
    }
    # the choice is reported, never silent
    assert report.columns == [
        "办理窗口 (unit): column 3 (C) '窗口/所' taken over column 2 (B) '办理单位' "
        "(more specific); --map 表头=字段 chooses otherwise"
    ]


def test_two_headers_of_one_tier_are_refused_naming_both(ledger: Ledger, tmp_path: Path) -> None:
    header = ["办件编号", "窗口", "所", "办理事项", "申请人", "联系电话", "办结日期"]
    rows = [
        ["YM1", "大厅窗口", "城区市场监管所", "企业变更登记", "王伟", "13800000001", "2026-10-09"]
    ]
    f = write(tmp_path / "tie.csv", header, rows)
    with pytest.raises(ImportFileError) as err:
        import_cases(f, CaseImport(ledger.sessions), BUREAU)
    assert str(err.value) == (
        f"{f}: row 1: 办理窗口 (unit) is named by column 2 (B) '窗口' and column 3 (C) '所'; "
        "say which one with --map 表头=unit (and --map 表头=- for the other)"
    )
    assert units_of(ledger) == {}
    mapping = parse_mapping(["所=unit", "窗口=-"])
    report = import_cases(f, CaseImport(ledger.sessions), BUREAU, mapping=mapping)
    assert report.imported == 1 and report.columns == []
    assert units_of(ledger) == {"YM1": ("城区市场监管所", "station")}


def test_map_reads_a_header_as_another_field(ledger: Ledger, tmp_path: Path) -> None:
    # 办理单位 taken as the bureau each 所 belongs to, not as the unit
    f = write(tmp_path / "both.csv", BOTH, [["YM9", "外县市场监督管理局", *ROWS[0][2:]]])
    report = import_cases(
        f, CaseImport(ledger.sessions), BUREAU, mapping=parse_mapping(["办理单位=所属单位"])
    )
    assert report.imported == 1 and report.columns == []
    with ledger.sessions() as s:
        parents = dict(
            s.execute(select(Unit.name, Unit.parent_id).where(Unit.parent_id.is_not(None))).all()
        )
        bureau_id = s.execute(select(Unit.id).where(Unit.name == "外县市场监督管理局")).scalar()
    assert parents == {"城区市场监管所": bureau_id}


def test_a_map_header_missing_from_the_file_is_an_error(ledger: Ledger, tmp_path: Path) -> None:
    f = write(tmp_path / "both.csv", BOTH, ROWS)
    with pytest.raises(ImportFileError, match=r"row 1: --map names '承办单位', not a header"):
        import_cases(f, CaseImport(ledger.sessions), BUREAU, mapping=parse_mapping(["承办单位=-"]))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("办理单位", "is not 表头=字段"),
        ("=unit", "is not 表头=字段"),
        ("办理单位=单位", "'单位' is not a field"),
    ],
)
def test_bad_map_specs_are_named(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_mapping([spec])


def test_map_accepts_keys_labels_and_header_names() -> None:
    assert parse_mapping(["A=unit", "B=办理窗口", "C=手机", "D=-"]) == {
        "a": "unit",
        "b": "unit",
        "c": "phone",
        "d": "-",
    }
    assert match_headers(["A", "x"], {"a": "unit"}).columns == {"unit": 0}


def test_reimporting_a_corrected_export_reports_then_updates(
    ledger: Ledger, tmp_path: Path
) -> None:
    # the wrong export: only 办理单位, so every case was filed under the bureau
    only_bureau = [BOTH[0], *BOTH[1:2], *BOTH[3:]]
    wrong = write(tmp_path / "wrong.csv", only_bureau, [[r[0], r[1], *r[3:]] for r in ROWS])
    import_cases(wrong, CaseImport(ledger.sessions), BUREAU)
    assert {u for u, _ in units_of(ledger).values()} == {BUREAU}

    corrected = [*ROWS[:2], [*ROWS[2][:5], "13900000003", ROWS[2][6]]]
    fixed = write(tmp_path / "fixed.csv", BOTH, corrected)
    report = import_cases(fixed, CaseImport(ledger.sessions), BUREAU)
    assert (report.imported, report.already_present, report.updated) == (0, 3, 0)
    assert report.kept_differing == 3
    assert [(d.row, d.difference.case_no) for d in report.differing] == [
        (2, "YM1"),
        (3, "YM2"),
        (4, "YM3"),
    ]
    assert report.differing[2].difference.fields == (
        ("unit", BUREAU, "千秋市场监管所"),
        ("phone", "13800000003", "13900000003"),
    )
    # without --update the ledger is left as it was, and says so
    assert {u for u, _ in units_of(ledger).values()} == {BUREAU}

    report = import_cases(fixed, CaseImport(ledger.sessions), BUREAU, update=True)
    assert (report.updated, report.kept_differing, len(report.differing)) == (3, 0, 3)
    assert units_of(ledger)["YM3"] == ("千秋市场监管所", "station")
    with ledger.sessions() as s:
        assert s.execute(select(Case.phone).where(Case.case_no == "YM3")).scalar() == "13900000003"

    again = import_cases(fixed, CaseImport(ledger.sessions), BUREAU)
    assert (again.already_present, again.differing) == (3, [])


def test_strict_imports_nothing_when_a_row_is_bad(ledger: Ledger, tmp_path: Path) -> None:
    bad = [*ROWS, ["YM4", BUREAU, "城区市场监管所", "企业变更登记", "赵敏", "12345", "2026-10-12"]]
    f = write(tmp_path / "bad.csv", BOTH, bad)
    report = import_cases(f, CaseImport(ledger.sessions), BUREAU, strict=True)
    assert report.strict_refused and report.imported == 0 and len(report.rejected) == 1
    assert units_of(ledger) == {}
