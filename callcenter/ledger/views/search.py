"""台账查询: searching and filtering the calls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger import taizhang as tz
from callcenter.ledger.record import CallRecord
from callcenter.ledger.search import PENDING, ScoreFilter, SearchQuery
from callcenter.ledger.views import _labels as labels
from callcenter.ledger.views import keys
from callcenter.ledger.views._highlight import Piece, snippet
from callcenter.web import keys as web_keys
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()

MAX_TEXT = 100
_FIELDS = ("month", "unit", "outcome", "score", "q", "case")


@dataclass(frozen=True)
class HitRow:
    """One search result as the page shows it; the phone number is already masked."""

    attempt_id: str
    called_at: datetime
    unit: str
    respondent: str
    applicant: str
    phone: str
    case_no: str
    matter: str
    outcome: str
    outcome_class: str
    scores: list[tuple[str, int]]
    snippets: list[list[Piece]]
    recordings: int


@routes.get("/", name="search")
@requires(Permission.VIEW_LEDGER)
async def search_page(request: web.Request) -> web.StreamResponse:
    search = request.app[keys.READER]
    units, months = await asyncio.gather(
        asyncio.to_thread(search.units), asyncio.to_thread(search.months)
    )
    params = {name: request.query.get(name, "").strip()[:MAX_TEXT] for name in _FIELDS}
    errors: list[str] = []
    query = _query(params, {u.name for u in units}, errors, request)
    result = None
    if not errors:
        try:
            result = await asyncio.to_thread(search.search, query)
        except LedgerError as exc:
            errors.append(str(exc))
    rows = [_row(hit, params["q"]) for hit in result.hits] if result else []
    kept = {k: v for k, v in params.items() if v}
    return render(
        request,
        "search.html",
        {
            "params": params,
            "units": units,
            "months": months,
            "outcomes": labels.OUTCOME_CHOICES,
            "scores": labels.SCORE_CHOICES,
            "errors": errors,
            "result": result,
            "rows": rows,
            "page_link": lambda page: "/?" + urlencode({**kept, "page": page}),
        },
        status=400 if errors else 200,
    )


def _query(
    params: dict[str, str], unit_names: set[str], errors: list[str], request: web.Request
) -> SearchQuery:
    month = params["month"] or None
    if month is not None:
        try:
            tz.month_bounds(month)
        except LedgerError:
            errors.append(f"月份“{month}”格式不对，应为 YYYY-MM。")
    unit = params["unit"] or None
    if unit is not None and unit not in unit_names:
        errors.append(f"没有名为“{unit}”的单位。")
    outcome = params["outcome"] or None
    if outcome is not None and outcome != PENDING and outcome not in {o.value for o in Outcome}:
        errors.append(f"回访结果“{outcome}”无效。")
    score = None
    if params["score"]:
        try:
            score = ScoreFilter(params["score"])
        except ValueError:
            errors.append(f"评分条件“{params['score']}”无效。")
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    return SearchQuery(
        month=month,
        unit=unit,
        outcome=outcome,
        score=score,
        keyword=params["q"] or None,
        case_text=params["case"] or None,
        page=page,
        page_size=request.app[web_keys.SETTINGS].page_size,
    )


def _row(hit: CallRecord, keyword: str) -> HitRow:
    snippets = []
    if keyword:
        for answer in hit.answers:
            text = answer.recording.transcript if answer.recording is not None else None
            if text and (pieces := snippet(text, keyword)):
                snippets.append([(f"{answer.label}：", False), *pieces])
    return HitRow(
        attempt_id=hit.attempt.id,
        called_at=hit.attempt.started_at,
        unit=hit.case.unit,
        # 被回访对象: the organisation when there is one, with the person under it.
        respondent=hit.case.applicant,
        applicant=hit.case.applicant_name + hit.case.title if hit.case.applicant_org else "",
        phone=mask_phone(hit.case.phone),
        case_no=hit.case.case_no,
        matter=hit.case.matter,
        outcome=labels.outcome_label(hit.attempt.outcome),
        outcome_class=labels.outcome_class(hit.attempt.outcome),
        scores=[(a.label, a.score) for a in hit.answers if a.kind == "scale" and a.score],
        snippets=snippets,
        recordings=len(hit.recordings),
    )
