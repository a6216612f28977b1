"""Writing the export form a profile names, from the calls of the read model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from callcenter.interview.script import Script
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.export import export_xlsx
from callcenter.ledger.forms import fubiao1, lists
from callcenter.ledger.record import CallRecord

# how each form is named in the file name the web page and the command line offer
FILE_NAMES = {
    "附件2": "电话回访登记台账",
    "附表1": "电话回访工作记录表",
    "问卷统计": "依法行政调查问卷统计",
    "好差评清单": "政务服务好差评清单",
}


def write_form(
    form: str, records: Sequence[CallRecord], path: Path | str, script: Script | None = None
) -> Path:
    """Write ``records`` as ``form`` to ``path``; the 问卷统计 counts the options of
    ``script`` (the profile's questionnaire)."""
    if form == "附件2":
        rows = []
        for record in records:
            if record.taizhang is None:
                raise LedgerError(f"attempt {record.attempt.id!r} has ended_at but no outcome")
            rows.append(record.taizhang)
        return export_xlsx(rows, path)
    if form == "附表1":
        return fubiao1.write(records, path)
    if form == "问卷统计":
        if script is None:
            raise LedgerError("the 问卷统计 form needs the questionnaire's script")
        return lists.write_tally(records, script, path)
    if form == "好差评清单":
        return lists.write_grades(records, path)
    raise LedgerError(f"unknown ledger form {form!r} ({', '.join(FILE_NAMES)})")
