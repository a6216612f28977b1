"""台账查询: searching and filtering the calls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from callcenter.access.permissions import Permission
from callcenter.access.security import requires
from callcenter.calls import keys as call_keys
from callcenter.calls.integrity import RecordingStatus, RecordingVerifier
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.record import CallRecord
from callcenter.ledger.search import PENDING, ScoreFilter, SearchQuery
from callcenter.ledger.views import _labels as labels
from callcenter.ledger.views import keys
from callcenter.ledger.views._highlight import Piece, snippet
from callcenter.ledger.views._month import is_month
from callcenter.web import keys as web_keys
from callcenter.web import params as web_params
from callcenter.web.masking import mask_phone
from callcenter.web.templating import render

routes = web.RouteTableDef()

MAX_TEXT = 100
# each filter and what the page calls it
_FIELDS = {
    "month": "月份",
    "unit": "单位",
    "outcome": "回访结果",
    "score": "评价",
    "q": "录音文字",
    "case": "办件 / 申请人 / 事项",
}


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
    scores: list[tuple[str, str, int]]  # question, the option's words, 1-5
    snippets: list[list[Piece]]
    recordings: int
    # what is wrong with the call's recording files: 录音文件缺失 / 录音文件已被改动
    recording_problems: list[str]


@routes.get("/", name="search")
@requires(Permission.VIEW_LEDGER)
async def search_page(request: web.Request) -> web.StreamResponse:
    search = request.app[keys.READER]
    units, months = await asyncio.gather(
        asyncio.to_thread(search.units), asyncio.to_thread(search.months)
    )
    errors: list[str] = []
    params = {name: _field(request, name, label, errors) for name, label in _FIELDS.items()}
    page = 1
    try:
        page = web_params.page(request.query.get("page"))
    except web_params.BadParameter as exc:
        errors.append(exc.message)
    query = _query(params, {u.name for u in units}, errors, request, page)
    result = None
    if not errors:
        try:
            result = await asyncio.to_thread(search.search, query)
        except LedgerError as exc:
            errors.append(str(exc))
    rows = []
    if result:
        verifier = request.app[call_keys.VERIFIER]
        rows = await asyncio.to_thread(_rows, result.hits, params["q"], verifier)
    kept = {k: v for k, v in params.items() if v}
    past_end = result is not None and result.total > 0 and result.page > result.pages
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
            "past_end": past_end,
            "rows": rows,
            "page_link": lambda page: "/?" + urlencode({**kept, "page": page}),
        },
        status=400 if errors else 404 if past_end else 200,
    )


def _field(request: web.Request, name: str, label: str, errors: list[str]) -> str:
    try:
        return web_params.text(request.query.get(name, ""), label, limit=MAX_TEXT)
    except web_params.BadParameter as exc:
        errors.append(exc.message)
        return ""


def _query(
    params: dict[str, str],
    unit_names: set[str],
    errors: list[str],
    request: web.Request,
    page: int,
) -> SearchQuery:
    month = params["month"] or None
    if month is not None and not is_month(month):
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


def _rows(hits: list[CallRecord], keyword: str, verifier: RecordingVerifier) -> list[HitRow]:
    """The page's rows; each recording file is checked (by stat while unchanged)."""
    return [_row(hit, keyword, verifier) for hit in hits]


def _row(hit: CallRecord, keyword: str, verifier: RecordingVerifier) -> HitRow:
    snippets = []
    if keyword:
        for answer in hit.answers:
            text = answer.recording.transcript if answer.recording is not None else None
            if text and (pieces := snippet(text, keyword)):
                snippets.append([(f"{answer.label}：", False), *pieces])
    problems = []
    for recording in hit.recordings:
        status = verifier.check(recording.path, recording.sha256).status
        if status in (RecordingStatus.MISSING, RecordingStatus.ALTERED):
            problems.append(status.label)
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
        scores=[
            (a.label, labels.score_label(a), a.score)
            for a in hit.answers
            if a.kind == "scale" and a.score
        ],
        snippets=snippets,
        recordings=len(hit.recordings),
        recording_problems=sorted(set(problems), key=problems.index),
    )
