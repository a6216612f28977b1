"""Roles and what each may do on the web pages.

Full phone numbers are for administrators only, and even they see one only by asking
for it on a call's page, which is written to the access log. The access log is read by
administrators and supervisors (纪检督查负责人), who check the auditors' use of it.
"""

from __future__ import annotations

from enum import StrEnum

from callcenter.access.tables import ROLES


class Permission(StrEnum):
    VIEW_LEDGER = "view_ledger"  # search the 台账, open calls, read transcripts
    PLAY_RECORDINGS = "play_recordings"
    EXPORT = "export"
    REVEAL_PHONE = "reveal_phone"
    READ_ACCESS_LOG = "read_access_log"
    # human agents (callcenter.agents): the agent screen and the call-back queue, listening
    # in on a live takeover, reports of misconduct (索拿卡要), and managing agents' phones
    TAKE_CALLS = "take_calls"
    LISTEN_IN = "listen_in"
    SEE_MISCONDUCT = "see_misconduct"
    MANAGE_AGENTS = "manage_agents"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "supervisor": frozenset(
        {
            Permission.VIEW_LEDGER,
            Permission.PLAY_RECORDINGS,
            Permission.EXPORT,
            Permission.READ_ACCESS_LOG,
            Permission.LISTEN_IN,
            Permission.SEE_MISCONDUCT,
        }
    ),
    "auditor": frozenset({Permission.VIEW_LEDGER, Permission.PLAY_RECORDINGS, Permission.EXPORT}),
    "agent": frozenset({Permission.VIEW_LEDGER, Permission.TAKE_CALLS}),
}

ROLE_LABELS = {
    "admin": "管理员",
    "supervisor": "督查负责人",
    "auditor": "督查员",
    "agent": "话务员",
}

assert set(ROLE_PERMISSIONS) == set(ROLES) == set(ROLE_LABELS)


def allowed(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
