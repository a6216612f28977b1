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
    # 整改 tickets (callcenter.tickets): see them (a liaison only its unit's), record the
    # unit's contact and rectification report, and verify as supervision (督查核实)
    VIEW_TICKETS = "view_tickets"
    WORK_TICKETS = "work_tickets"
    VERIFY_TICKETS = "verify_tickets"
    # 考核 and 通报 (callcenter.reports): the scores, the circulars, and their deductions
    VIEW_REPORTS = "view_reports"
    # the prompts the scripts speak (callcenter.prompts): upload, check and approve recordings
    MANAGE_PROMPTS = "manage_prompts"


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
            Permission.VIEW_TICKETS,
            Permission.VERIFY_TICKETS,
            Permission.VIEW_REPORTS,
            Permission.MANAGE_PROMPTS,
        }
    ),
    "auditor": frozenset(
        {
            Permission.VIEW_LEDGER,
            Permission.PLAY_RECORDINGS,
            Permission.EXPORT,
            Permission.VIEW_TICKETS,
        }
    ),
    "agent": frozenset({Permission.VIEW_LEDGER, Permission.TAKE_CALLS}),
    # its own unit's tickets only (callcenter.tickets.scope), none of the 台账 beyond them
    "liaison": frozenset({Permission.VIEW_TICKETS, Permission.WORK_TICKETS}),
}

ROLE_LABELS = {
    "admin": "管理员",
    "supervisor": "督查负责人",
    "auditor": "督查员",
    "agent": "话务员",
    "liaison": "整改联络员",
}

assert set(ROLE_PERMISSIONS) == set(ROLES) == set(ROLE_LABELS)

# What a permission is called where people read it (the access log's refusals).
PERMISSION_LABELS = {
    Permission.VIEW_LEDGER: "查看台账",
    Permission.PLAY_RECORDINGS: "收听录音",
    Permission.EXPORT: "导出台账",
    Permission.REVEAL_PHONE: "查看完整号码",
    Permission.READ_ACCESS_LOG: "查看访问记录",
    Permission.TAKE_CALLS: "坐席接听",
    Permission.LISTEN_IN: "转接监听",
    Permission.SEE_MISCONDUCT: "查看不廉洁问题线索",
    Permission.MANAGE_AGENTS: "坐席管理",
    Permission.VIEW_TICKETS: "查看整改工单",
    Permission.WORK_TICKETS: "办理整改工单",
    Permission.VERIFY_TICKETS: "督查核实整改",
    Permission.VIEW_REPORTS: "考核通报",
    Permission.MANAGE_PROMPTS: "管理语音提示",
}

assert set(PERMISSION_LABELS) == set(Permission)


def allowed(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
