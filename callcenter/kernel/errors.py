"""Typed errors with a stable id and a message a user can act on."""

from __future__ import annotations


class CallcenterError(Exception):
    """Base of every error this package raises on purpose."""

    error_id = "callcenter-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(CallcenterError):
    error_id = "config-invalid"


class ScriptError(CallcenterError):
    """A call script failed validation; the message names file, line and field."""

    error_id = "script-invalid"


class SandboxError(CallcenterError):
    error_id = "sandbox-failed"


class AriError(CallcenterError):
    error_id = "ari-error"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AriUnreachable(AriError):
    error_id = "ari-unreachable"


class AriNotFound(AriError):
    error_id = "ari-not-found"


class PromptError(CallcenterError):
    error_id = "prompt-render-failed"


class LedgerError(CallcenterError):
    error_id = "ledger-error"


class LedgerUnavailable(LedgerError):
    """The database could not be reached; the write can be repeated once it is back."""

    error_id = "ledger-unavailable"


class LedgerBusy(LedgerUnavailable):
    """Other writers held the database (a lock, a deadlock, a serialisation conflict)
    for longer than it waits; the same write succeeds when repeated."""

    error_id = "ledger-busy"


class AccountError(CallcenterError):
    """A web user could not be added or changed; the message names the user and field."""

    error_id = "account-invalid"


class CampaignError(CallcenterError):
    """A campaign cannot be planned, started or dialled as asked; the message says why."""

    error_id = "campaign-error"


class CalendarError(CampaignError):
    """The calling calendar cannot tell whether a day is a working day."""

    error_id = "calendar-unknown-day"


class ImportFileError(CallcenterError):
    """A file of cases cannot be read at all (encoding, format, missing columns)."""

    error_id = "import-file-invalid"


class AgentError(CallcenterError):
    """An agent could not be added, changed, pushed to Asterisk or rung; names the agent."""

    error_id = "agent-error"


class TranscriptionError(CallcenterError):
    """A recording could not be transcribed: model missing, file unreadable, engine failed."""

    error_id = "transcription-failed"


class TicketError(CallcenterError):
    """An action on a 整改 ticket does not fit it: names the ticket, its state and the
    action (the event), in the words the pages show."""

    error_id = "ticket-refused"

    def __init__(self, message: str, *, ticket: str = "", state: str = "", event: str = ""):
        super().__init__(message)
        self.ticket = ticket
        self.state = state
        self.event = event


class TicketConflict(TicketError):
    """Someone else changed the ticket between reading and writing it; nothing was written."""

    error_id = "ticket-conflict"


class TicketNotFound(TicketError):
    error_id = "ticket-unknown"


class TicketDenied(TicketError):
    """The user may not see or do this on the ticket (role, unit, or separation of duties)."""

    error_id = "ticket-denied"


class NotifyError(CallcenterError):
    """A notice could not be delivered (mail server unreachable, refused, …)."""

    error_id = "notify-failed"


class ReportError(CallcenterError):
    """A report cannot be made as asked: a period, unit or deduction that does not fit,
    named with the forms that do."""

    error_id = "report-refused"
