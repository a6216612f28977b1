"""Notices by mail through a real local SMTP server (aiosmtpd): a ticket opened, a
deadline near (预警) and passed (超期), each sent once to the unit's liaisons and to
supervision, however often the sender runs; a failed send is tried again next time."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from callcenter.calls.store import Ledger
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.errors import ConfigError
from callcenter.tickets.config import TicketSettings
from callcenter.tickets.notify import SmtpNotifier
from callcenter.tickets.service import TicketService
from tests.tickets.fixtures import add_case, answers, beijing, finished_call, make_service


class Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        data = envelope.content  # type: ignore[attr-defined]
        self.mails.append(message_from_bytes(data, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def take(self) -> list[tuple[str, str, str]]:
        """(to, subject, body) of the mails received since the last take, sorted."""
        out = sorted((str(m["To"]), str(m["Subject"]), m.get_content()) for m in self.mails)
        self.mails.clear()
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


def _settings(port: int) -> TicketSettings:
    return TicketSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="huifang@ymscjgj.example.cn",
        base_url="https://huifang.example.cn",
    )


@pytest.fixture
def mailing(
    ledger: Ledger, clock: FixedClock, people: None, inbox: tuple[Inbox, int]
) -> TicketService:
    settings = _settings(inbox[1])
    service = make_service(ledger, clock, settings, SmtpNotifier.from_settings(settings))
    for user in ("lianluo1", "lianluo2", "jiwei1", "ducha1", "juzhang"):
        service.staff.set_email(user, f"{user}@ymscjgj.example.cn")
    return service


def _open(ledger: Ledger, service: TicketService, q6: int = 2) -> str:
    case_id = add_case(ledger, f"YM-2026-07{q6:02d}")
    at = service.clock.now() - timedelta(minutes=5)
    call = finished_call(ledger, f"n{q6}", case_id, at, answers(q2=5, q6=q6))
    return service.store.load(service.on_call_finished(call) or 0).number


def test_a_new_ticket_is_told_once_to_its_liaisons_and_supervision(
    ledger: Ledger, mailing: TicketService, inbox: tuple[Inbox, int]
) -> None:
    number = _open(ledger, mailing)
    report = mailing.notify_due()
    assert (report.sent, report.failed) == (3, [])
    mails = inbox[0].take()
    assert [to for to, _, _ in mails] == [
        "jiwei1@ymscjgj.example.cn",
        "juzhang@ymscjgj.example.cn",
        "lianluo1@ymscjgj.example.cn",
    ]
    _, subject, body = mails[0]
    assert subject == f"【新工单】整改工单{number}（待联系） 义马市市场监督管理局千秋所"
    assert "申请人对办理情况不满意，请于2026-02-14 16:00前联系申请人。" in body
    assert "不满意内容：服务态度：很不满意" in body
    assert f"https://huifang.example.cn/tickets/{number}" in body
    assert "13800000000" not in body
    # run again, and again: nothing more
    assert mailing.notify_due().sent == 0
    assert mailing.notify_due().sent == 0
    assert inbox[0].take() == []


def test_warning_then_overdue_each_once(
    ledger: Ledger, mailing: TicketService, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    number = _open(ledger, mailing)
    mailing.notify_due()
    inbox[0].take()
    # contact due Saturday 14 February 16:00 (调休); 8 working hours before is 08:00
    clock.set(beijing(2026, 2, 14, 8, 30))
    assert mailing.notify_due().sent == 3
    subjects = {s for _, s, _ in inbox[0].take()}
    assert subjects == {f"【预警】整改工单{number}（待联系） 联系申请人将于2026-02-14 16:00到期"}
    assert mailing.notify_due().sent == 0
    clock.set(beijing(2026, 2, 14, 16, 1))
    assert mailing.notify_due().sent == 3
    subjects = {s for _, s, _ in inbox[0].take()}
    assert subjects == {f"【超期】整改工单{number}（待联系） 联系申请人已于2026-02-14 16:00到期"}
    clock.set(beijing(2026, 2, 24, 9))
    assert mailing.notify_due().sent == 0


def test_misconduct_is_told_to_supervision_only(
    ledger: Ledger, mailing: TicketService, inbox: tuple[Inbox, int]
) -> None:
    number = _open(ledger, mailing, q6=1)
    assert mailing.notify_due().sent == 1
    ((to, subject, body),) = inbox[0].take()
    assert to == "jiwei1@ymscjgj.example.cn"
    assert subject == f"【新工单】督查工单{number}（督查核实） 义马市市场监督管理局千秋所"
    assert "反映索拿卡要等不廉洁行为，请督查部门核实" in body


def test_a_failed_send_is_tried_again_and_sent_once(
    ledger: Ledger, clock: FixedClock, people: None, inbox: tuple[Inbox, int]
) -> None:
    dead = _settings(_free_port())  # nobody listens there
    service = make_service(ledger, clock, dead, SmtpNotifier.from_settings(dead))
    service.staff.set_email("jiwei1", "jiwei1@ymscjgj.example.cn")
    _open(ledger, service)
    report = service.notify_due()
    assert report.sent == 0
    assert len(report.failed) == 1 and "through 127.0.0.1:" in report.failed[0]
    live = _settings(inbox[1])
    service = make_service(ledger, clock, live, SmtpNotifier.from_settings(live))
    assert service.notify_due().sent == 1
    assert service.notify_due().sent == 0
    assert len(inbox[0].take()) == 1


def test_without_a_mail_server_nothing_pretends_to_be_sent(
    ledger: Ledger, service: TicketService
) -> None:
    _open(ledger, service)
    with pytest.raises(ConfigError, match=r"set tickets\.smtp_host"):
        service.notify_due()


def test_a_ticket_nobody_can_be_told_about_is_reported(
    ledger: Ledger, clock: FixedClock, people: None, inbox: tuple[Inbox, int]
) -> None:
    settings = _settings(inbox[1])
    service = make_service(ledger, clock, settings, SmtpNotifier.from_settings(settings))
    number = _open(ledger, service)
    report = service.notify_due()
    assert (report.sent, report.unaddressed) == (0, [number])
