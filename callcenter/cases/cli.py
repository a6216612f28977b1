"""``callcenter import FILE``: completed cases from the business system's export.

Exit codes, for scripts: 0 every row is in the ledger as the file has it; 2 the file
or an option cannot be used (nothing imported); 3 some rows were rejected (the others
were imported, or nothing with ``--strict``); 4 no row was rejected, but some cases
differ from the ledger and were left as they are (``--update`` applies them). When
rows were rejected and others differ, 3 is returned and the summary says both.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from callcenter.cases import columns
from callcenter.cases.importer import ImportReport, import_cases
from callcenter.cases.store import CaseImport
from callcenter.profiles.loader import profile_named
from callcenter.web.masking import mask_phone

SHOWN_REJECTS = 30
SHOWN_DIFFERENCES = 10
EXIT_REJECTED = 3
EXIT_DIFFERING = 4


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK) or XLSX export of 办结事项")],
    bureau: Annotated[
        str | None,
        typer.Option(help="bureau of rows without a 所属单位 column (default: calling_unit)"),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="write every rejected or differing row (row, reason) to this CSV"),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="表头=字段",
            help="read the column with this header as this field (case_no, unit, … or "
            "办件编号, 办理窗口, …; - to ignore it); repeatable",
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option(help="make cases already stored say what the file says")
    ] = False,
    strict: Annotated[bool, typer.Option(help="import nothing if any row is rejected")] = False,
    form: Annotated[
        str | None,
        typer.Option(
            help="the form of the file: 办结事项 (the business system's export) or 附表3 "
            "(信阳's 涉企服务主体统计表); default: the profile's"
        ),
    ] = None,
) -> None:
    """Import completed cases; bad rows are listed by row number and left out.

    Columns (any of the names; * required): *办件编号, *办理窗口 (窗口/所), 单位类型,
    所属单位, *办理事项, *申请人, 称谓, 企业名称, *联系电话, *办结日期, 是否投诉.
    Importing the same file again adds nothing; cases that differ from the ledger are
    reported and changed only with --update. Exit code 3: rows rejected; 4: cases
    differ from the ledger and were not updated.
    """
    try:
        fields = columns.parse_mapping(mapping or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    settings = ctx.obj.settings
    if form is None:
        form = profile_named(settings.profiles_dir, settings.profile).population.import_form
    if form not in (*columns.FORMS, "办结事项"):
        known = ", ".join(["办结事项", *columns.FORMS])
        raise typer.BadParameter(f"{form!r} is not a form ({known})", param_hint="--form")
    with ctx.obj.open_ledger() as ledger:
        result = import_cases(
            file,
            CaseImport(ledger.sessions, clock=ctx.obj.clock),
            bureau or settings.calling_unit,
            mapping=fields,
            update=update,
            strict=strict,
            form=columns.FORMS.get(form),
        )
    print_report(result)
    if report is not None:
        write_report(result, report)
        typer.echo(f"rejected and differing rows written to {report}")
    if result.rejected:
        raise typer.Exit(EXIT_REJECTED)
    if result.kept_differing:
        raise typer.Exit(EXIT_DIFFERING)


def print_report(r: ImportReport) -> None:
    for note in r.columns:
        typer.echo(f"header: {note}")
    typer.echo(
        f"{r.path} ({r.encoding}): {r.rows} rows, {r.imported} imported, "
        f"{r.already_present} already in the ledger, {len(r.rejected)} rejected"
    )
    if r.strict_refused:
        typer.echo("--strict: nothing imported, since rows were rejected")
    for bad in r.rejected[:SHOWN_REJECTS]:
        typer.echo(f"  row {bad.row}: {bad.reason}")
    if len(r.rejected) > SHOWN_REJECTS:
        typer.echo(f"  … and {len(r.rejected) - SHOWN_REJECTS} more (use --report FILE)")
    if not r.differing:
        return
    fields = Counter(f for d in r.differing for f, _, _ in d.difference.fields)
    counts = ", ".join(f"{columns.LABELS[f]} {n}" for f, n in fields.most_common())
    if r.updated:
        typer.echo(f"{r.updated} cases updated to what the file says ({counts})")
    else:
        typer.echo(
            f"{len(r.differing)} rows differ from the ledger ({counts}); the ledger was "
            "left as it is: import again with --update to apply them"
        )
    for d in r.differing[:SHOWN_DIFFERENCES]:
        typer.echo(f"  row {d.row} ({d.difference.case_no}): {_changes(d.difference.fields)}")
    if len(r.differing) > SHOWN_DIFFERENCES:
        typer.echo(f"  … and {len(r.differing) - SHOWN_DIFFERENCES} more (use --report FILE)")


def write_report(r: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["行号", "原因"])
        w.writerows((bad.row, bad.reason) for bad in r.rejected)
        verb = "已按文件更新" if r.updated else "与台账不同，未更新"
        w.writerows(
            (d.row, f"{verb}：{_changes(d.difference.fields)}")
            for d in sorted(r.differing, key=lambda d: d.row)
        )


def _changes(fields: tuple[tuple[str, object, object], ...]) -> str:
    out = []
    for f, old, new in fields:
        before, after = _shown(f, old), _shown(f, new)
        # masked numbers differing only in hidden digits would read as no change
        hidden = "（隐去的数字不同）" if before == after else ""
        out.append(f"{columns.LABELS[f]} {before} → {after}{hidden}")
    return "；".join(out)


def _shown(field: str, value: object) -> str:
    if field == "phone":
        return mask_phone(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value) if value != "" else "（空）"
