"""A bureau's profile over the ticket settings: 信阳 (001) follows every 差评 up with a
visit (上门回访, recorded when done) and answers within 5 working days."""

from __future__ import annotations

import pytest

from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import TicketError
from callcenter.kernel.paths import PROJECT_ROOT
from callcenter.profiles.loader import profile_named
from callcenter.tickets.config import TicketSettings, with_profile
from callcenter.tickets.machine import ContactMethod, State
from tests.tickets.fixtures import beijing, make_service
from tests.tickets.test_service import open_ticket

PROFILES = PROJECT_ROOT / "profiles"


def test_profiles_set_what_they_name_and_leave_the_rest() -> None:
    base = TicketSettings(contact="48h", warn_hours=4)
    xinyang = with_profile(base, profile_named(PROFILES, "xinyang").tickets)
    assert (xinyang.contact, xinyang.report, xinyang.contact_by) == ("48h", "5wd", "visit")
    assert xinyang.warn_hours == 4
    assert with_profile(base, profile_named(PROFILES, "yima").tickets) == base


@pytest.mark.usefixtures("people")
def test_a_bad_review_is_followed_up_by_a_visit(ledger: Ledger, clock: FixedClock) -> None:
    settings = with_profile(TicketSettings(), profile_named(PROFILES, "xinyang").tickets)
    service = make_service(ledger, clock, settings)
    ticket_id = open_ticket(ledger, service)
    t = service.store.load(ticket_id)
    # opened Friday 13 February 2026 15:55: five working days are the 调休 Saturday and
    # 24, 25, 26, 27 February (Spring Festival off), to the end of the fifth
    assert t.current.report_due == beijing(2026, 2, 28)
    liaison = service.actor("lianluo1")
    with pytest.raises(TicketError, match=rf"工单{t.number}须上门回访.*--method visit"):
        service.contact(ticket_id, liaison, ContactMethod.PHONE, "电话联系了申请人")
    assert service.store.load(ticket_id).state is State.AWAITING_CONTACT
    clock.set(beijing(2026, 2, 14, 10))
    t = service.contact(ticket_id, liaison, ContactMethod.VISIT, "上门回访，企业负责人签字。")
    assert t.state is State.RECTIFYING
    assert (t.current.contacted_at, t.current.contact_method) == (
        beijing(2026, 2, 14, 10),
        ContactMethod.VISIT,
    )
