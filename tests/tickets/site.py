"""Tickets in every state the pages show, users of each role, and a login helper, for the
page tests (aiohttp's test client) and the browser tests (Chromium)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from callcenter.access.accounts import Accounts
from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.tickets.machine import ContactMethod
from callcenter.tickets.service import TicketService
from callcenter.tickets.staff import Staff
from callcenter.transcription.store import TranscriptStore
from tests.tickets.fixtures import (
    OTHER_STATION,
    STATION,
    add_case,
    add_units,
    answers,
    finished_call,
    make_service,
)

PASSWORD = "ticket-pages-password-1"
# user -> (role, bound unit)
PEOPLE = {
    "lianluo1": ("liaison", STATION),
    "lianluo2": ("liaison", OTHER_STATION),
    "jiwei1": ("supervisor", None),
    "jiwei_qiuqiu": ("supervisor", STATION),
    "ducha1": ("auditor", None),
}
REASON = "窗口工作人员态度冷淡，问了两遍都不理。"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Site:
    ledger: Ledger
    clock: FixedClock
    service: TicketService
    new: str  # 千秋所, 待联系
    other: str  # 泰山所, 待联系
    verifying: str  # 千秋所, 督查核实
    misconduct: str  # 千秋所, 督查核实 (索拿卡要)


def build_site(engine: Engine, clock: FixedClock, password_hash: str) -> Site:
    ledger = Ledger(session_factory(engine))
    add_units(ledger)
    accounts, staff = Accounts(ledger.sessions), Staff(ledger.sessions, clock)
    for name, (role, unit) in PEOPLE.items():
        accounts.add_user(name, role, password_hash)
        if unit is not None:
            staff.bind(name, unit)
    service = make_service(ledger, clock)

    def opened(case_no: str, unit: str, **scores: int) -> str:
        case_id = add_case(ledger, case_no, unit)
        at = clock.now() - timedelta(minutes=10)
        call = finished_call(ledger, f"call-{case_no}", case_id, at, answers(**scores))
        return service.store.load(service.on_call_finished(call) or 0).number

    new = opened("YM-2026-0801", STATION, q2=4)
    TranscriptStore(ledger.sessions).done("call-YM-2026-0801", "q2_reason", REASON, "vosk")
    other = opened("YM-2026-0802", OTHER_STATION, q5=5)
    verifying = opened("YM-2026-0803", STATION, q1=5)
    liaison = service.actor("lianluo1")
    service.contact(verifying, liaison, ContactMethod.PHONE, "已联系申请人")
    service.report(verifying, liaison, "已整改")
    service.revisits_due()
    service.record_revisit(service.store.find(verifying).id, 1, None, False)
    misconduct = opened("YM-2026-0804", STATION, q6=1)
    return Site(ledger, clock, service, new, other, verifying, misconduct)


def csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match[1]


async def log_in(client: TestClient, name: str, next_url: str = "/tickets") -> str:
    """Log ``name`` in; the CSRF token of the page the login lands on."""
    token = csrf(await (await client.get("/login")).text())
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": name, "password": PASSWORD, "next": next_url},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    page = await client.get(response.headers["Location"])
    assert page.status == 200, await page.text()
    return csrf(await page.text())
