"""Who may see a ticket and who may act on it.

- A liaison (整改联络员) is bound to a unit and sees its tickets and those of the units
  under it (a 局's liaison sees its 所 and 窗口), and records contact and reports there;
  reports of misconduct go to supervision and are not shown to the unit.
- Supervisors (督查负责人) and administrators see every ticket and verify (督查核实);
  auditors (督查员) see the rectification tickets.
- 许昌 三(一)2 separates the one who follows up from the one who handled the case: a
  ticket is never verified by someone bound to its own unit, nor by its 经办人.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.access.permissions import Permission, allowed
from callcenter.kernel.errors import TicketDenied
from callcenter.tickets.machine import Contact, Kind, Report, Verify, accepts
from callcenter.tickets.records import TicketView

LIAISON = "liaison"
_NEEDS = {
    Contact.name: Permission.WORK_TICKETS,
    Report.name: Permission.WORK_TICKETS,
    Verify.name: Permission.VERIFY_TICKETS,
}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    unit_id: int | None = None  # the unit the user is bound to
    unit_name: str = ""
    units: frozenset[int] = frozenset()  # that unit and the units under it

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)

    @property
    def scoped(self) -> bool:
        """Sees only its unit's tickets."""
        return self.role == LIAISON

    @property
    def sees_misconduct(self) -> bool:
        return self.can(Permission.SEE_MISCONDUCT)


def sees(actor: Actor, ticket: TicketView) -> bool:
    if not actor.can(Permission.VIEW_TICKETS):
        return False
    if ticket.kind is Kind.MISCONDUCT and not actor.sees_misconduct:
        return False
    return not actor.scoped or ticket.unit_id in actor.units


def require_sight(actor: Actor, ticket: TicketView) -> None:
    if sees(actor, ticket):
        return
    if actor.scoped and ticket.unit_id not in actor.units:
        own = f"本单位（{actor.unit_name}）" if actor.unit_name else "所绑定单位"
        why = f"该工单属于{ticket.unit}，您只能查看和办理{own}的工单"
    else:
        why = "您的角色无权查看此工单"
    raise TicketDenied(f"无权查看工单{ticket.number}：{why}。", ticket=ticket.number)


def require_action(actor: Actor, ticket: TicketView, event: str) -> None:
    """TicketDenied unless ``actor`` may send ``event`` to ``ticket`` (whatever its state;
    the state machine decides whether the event fits)."""
    require_sight(actor, ticket)
    needed = _NEEDS.get(event)
    if needed is None or not actor.can(needed):
        raise TicketDenied(
            f"工单{ticket.number}：您的角色无权进行此项操作。", ticket=ticket.number, event=event
        )
    if event == Verify.name:
        if actor.unit_id is not None and actor.unit_id == ticket.unit_id:
            raise TicketDenied(
                f"工单{ticket.number}：督查核实须由{ticket.unit}以外的人员进行，"
                "本单位人员不能核实本单位的工单。",
                ticket=ticket.number,
                event=event,
            )
        if ticket.handler and actor.username == ticket.handler:
            raise TicketDenied(
                f"工单{ticket.number}：经办人不能核实自己经办的事项。",
                ticket=ticket.number,
                event=event,
            )


def actions(actor: Actor, ticket: TicketView) -> list[str]:
    """The events ``actor`` may send to ``ticket`` in its current state."""
    allowed_now = []
    for event in accepts(ticket.state):
        try:
            require_action(actor, ticket, event.name)
        except TicketDenied:
            continue
        allowed_now.append(event.name)
    return allowed_now
