"""导出: one month of the 台账 as an Excel workbook, in the form of the calls' profile
(附件2 for 义马; 附表1, 问卷统计, 好差评清单 for 信阳, 许昌, 烟台; ``ledger.forms``).

The unit is the search page's: its export holds the finished calls its search lists for
that month, the unit's 所 and 窗口 included.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from callcenter.access import security
from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.export import export_xlsx
from callcenter.ledger.forms.choose import Forms
from callcenter.ledger.store import LedgerReader
from callcenter.ledger.views import keys
from callcenter.ledger.views._month import is_month
from callcenter.web import params
from callcenter.web.templating import render

routes = web.RouteTableDef()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A POST with the CSRF token, not a link: an export is written to the access log, and
# another site must not be able to make a logged-in browser produce that entry.
@routes.post("/export", name="export")
@requires(Permission.EXPORT)
async def export(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        month = params.text(str(form.get("month", "")), "月份")
        unit = params.text(str(form.get("unit", "")), "单位") or None
    except params.BadParameter as exc:
        return _refuse(request, exc.message)
    if not is_month(month):
        return _refuse(request, "请先选择要导出的月份（YYYY-MM）。")
    forms = request.app.get(keys.FORMS)
    try:
        if forms is None:
            data, count = await asyncio.to_thread(_workbook, request.app[keys.READER], month, unit)
            title = "电话回访登记台账"
        else:
            data, count, title = await asyncio.to_thread(
                _form, request.app[keys.READER], forms, month, unit
            )
    except LedgerError as exc:
        return _refuse(request, f"导出失败：{exc}")
    await security.record(request, "export", detail=f"{month} {unit or '全部单位'}，{count} 条")
    name = f"{title}-{unit or '全部单位'}-{month}.xlsx"
    return web.Response(
        body=data,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _workbook(reader: LedgerReader, month: str, unit: str | None) -> tuple[bytes, int]:
    rows = reader.taizhang(month, unit)
    with tempfile.TemporaryDirectory(prefix="callcenter-export-") as tmp:
        path = export_xlsx(rows, Path(tmp) / "taizhang.xlsx")
        return path.read_bytes(), len(rows)


def _form(
    reader: LedgerReader, forms: Forms, month: str, unit: str | None
) -> tuple[bytes, int, str]:
    """The month's calls in the form of their profile (附件2, 附表1, 问卷统计, 好差评清单)."""
    records = reader.calls(month, unit)
    with tempfile.TemporaryDirectory(prefix="callcenter-export-") as tmp:
        path, form = forms.write(records, Path(tmp) / "form.xlsx")
        return path.read_bytes(), len(records), forms.file_name(form)


def _refuse(request: web.Request, message: str) -> web.Response:
    return render(request, "error.html", {"title": "无法导出", "message": message}, status=400)
