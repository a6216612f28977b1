"""The list behind a count: the calls (read from the 台账's one read model and linking to
each call's page), the cases (linking to the 台账 search of each), or the tickets
(linking to each ticket's page)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.kernel.errors import LedgerError, ReportError
from callcenter.ledger.search import SearchQuery
from callcenter.ledger.views import keys as ledger_keys
from callcenter.reports.drill import FACTS, DrillPage
from callcenter.reports.period import parse_period
from callcenter.reports.sheets import Drill
from callcenter.reports.views import keys
from callcenter.web import params as web_params
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()
PAGE_SIZE = 50
MAX_TEXT = 100


@routes.get("/reports/drill", name="report_drill")
@requires(Permission.VIEW_REPORTS)
async def drill_page(request: web.Request) -> web.StreamResponse:
    q = {
        k: request.query.get(k, "").strip()[:MAX_TEXT] for k in ("fact", "period", "unit", "q", "v")
    }
    drill = Drill(q["fact"], q["period"], q["unit"] or None, q["q"], q["v"])
    errors: list[str] = []
    result: DrillPage | None = None
    calls = []
    page = 1
    try:
        page = web_params.page(request.query.get("page"))
        period = parse_period(drill.period)
        result = await asyncio.to_thread(request.app[keys.DRILL].page, drill, page, PAGE_SIZE)
        if result.attempt_ids:
            reader = request.app[ledger_keys.READER]
            found = await asyncio.to_thread(
                reader.search,
                SearchQuery(attempt_ids=result.attempt_ids, page_size=len(result.attempt_ids)),
            )
            calls = [
                {
                    "id": hit.attempt.id,
                    "at": hit.attempt.started_at,
                    "unit": hit.case.unit,
                    "respondent": hit.case.applicant,
                    "phone": mask_phone(hit.case.phone),
                    "case_no": hit.case.case_no,
                    "matter": hit.case.matter,
                    "outcome": hit.attempt.outcome.label if hit.attempt.outcome else "进行中",
                    "answers": [(a.label, a.value) for a in hit.answers if a.value],
                }
                for hit in found.hits
            ]
    except web_params.BadParameter as exc:
        errors.append(exc.message)
    except (ReportError, LedgerError) as exc:
        errors.append(str(exc))
    title = FACTS.get(drill.fact, drill.fact)
    if drill.value:
        title = f"{title}“{drill.value}”"
    pages = 1 if result is None else max(1, -(-result.total // PAGE_SIZE))
    kept = {k: v for k, v in q.items() if v}
    return render(
        request,
        "report_drill.html",
        {
            "title": title,
            "period": None if errors else period,
            "unit": drill.unit,
            "result": result,
            "calls": calls,
            "errors": errors,
            "page": page,
            "pages": pages,
            "page_link": lambda n: "/reports/drill?" + urlencode({**kept, "page": n}),
            "urlencode": urlencode,
        },
        status=400 if errors else 200,
    )
