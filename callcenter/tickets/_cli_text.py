"""The command line's words: reading filters, printing a list line and a ticket."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from callcenter.tickets import wording
from callcenter.tickets.board import Filters, Line
from callcenter.tickets.deadlines import Urgency
from callcenter.tickets.machine import Kind, State
from callcenter.tickets.records import EventView

_URGENCY = {"预警": Urgency.WARNING, "warning": Urgency.WARNING, "超期": Urgency.OVERDUE}
_URGENCY["overdue"] = Urgency.OVERDUE


def parse_state(text: str) -> State:
    for state in State:
        if text in (state.value, state.label):
            return state
    known = " / ".join(s.label for s in State)
    raise typer.BadParameter(f"{text!r} is not a state ({known})", param_hint="--state")


def parse_filters(
    unit: str | None,
    state: str | None,
    kind: str | None,
    due: str | None,
    month: str | None,
) -> Filters:
    if kind is not None and kind not in {k.value for k in Kind}:
        raise typer.BadParameter("rectification or misconduct", param_hint="--kind")
    if due is not None and due not in _URGENCY:
        raise typer.BadParameter("预警 (warning) or 超期 (overdue)", param_hint="--due")
    return Filters(
        unit=unit,
        state=None if state is None else parse_state(state),
        kind=None if kind is None else Kind(kind),
        urgency=None if due is None else _URGENCY[due],
        month=month,
    )


def echo_line(line: Line) -> None:
    t = line.ticket
    due = f"{line.stage_label}期限 {wording.when(line.due)}" if line.due else ""
    flag = f"【{line.urgency.label}】" if line.urgency in (Urgency.WARNING, Urgency.OVERDUE) else ""
    typer.echo(
        f"{t.number}  {t.kind.label}  {t.state.label:<4}  {t.unit}  办件 {t.case.case_no}  "
        f"{due} {flag}".rstrip()
    )


def echo_ticket(line: Line, complaint: str, events: Sequence[EventView]) -> None:
    t = line.ticket
    typer.echo(f"{t.title}（{t.state.label}）" + (f" 第{t.round}轮" if t.round > 1 else ""))
    if line.due is not None:
        typer.echo(f"  {line.stage_label}期限：{wording.when(line.due)} {line.urgency.label}")
    typer.echo(f"  责任单位：{t.unit}（{t.bureau}）")
    typer.echo(f"  办件：{t.case.case_no} {t.case.matter}，{t.case.applicant}")
    typer.echo(f"  来源：{t.channel}" + (f"（通话 {t.attempt_id}）" if t.attempt_id else ""))
    typer.echo(f"  不满意内容：{complaint}")
    if t.handler:
        typer.echo(f"  经办人：{t.handler}")
    for name, text in (
        ("联系时间", wording.contact(t)),
        ("整改情况", wording.rectification(t)),
        ("再回访结果", wording.revisit(t)),
        ("督查核实结论", wording.verification(t)),
        ("办结时间", wording.when(t.closed_at)),
    ):
        if text:
            typer.echo(f"  {name}：{text}")
    if t.closure is not None:
        typer.echo(f"  办结方式：{t.closure.label}" + ("（已启动问责）" if t.flagged else ""))
    typer.echo("  经过：")
    for e in events:
        said = f"：{e.text}" if e.text else ""
        detail = f"（{e.detail}）" if e.detail else ""
        typer.echo(
            f"    {wording.when(e.at)} {e.actor} {e.label}{detail} → {e.to_state.label}{said}"
        )
