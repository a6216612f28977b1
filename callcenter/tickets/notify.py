"""Delivering a notice: a pluggable ``Notifier``, and mail through an SMTP server.

Which notices are due and that each goes out once is ``notices``'s business; a notifier
only delivers one message or raises ``NotifyError``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from callcenter.kernel.errors import NotifyError
from callcenter.tickets.config import TicketSettings


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message``; NotifyError if it could not be."""
        ...


class SmtpNotifier:
    """Mail through one SMTP server: plain, STARTTLS or SMTPS, with an optional login."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        security: str = "none",
        username: str = "",
        password: str = "",
        timeout: float = 10,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"security {security!r} is not none, starttls or ssl")
        self.host, self.port, self.sender = host, port, sender
        self.security = security
        self._username, self._password = username, password
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: TicketSettings) -> SmtpNotifier | None:
        """The configured server, or None when ``tickets.smtp_host`` is not set."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
        )

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(message.body, charset="utf-8")
        try:
            if self.security == "ssl":
                context = ssl.create_default_context()
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifyError(
                f"mail to {message.to} through {self.host}:{self.port} failed: {exc}"
            ) from exc
