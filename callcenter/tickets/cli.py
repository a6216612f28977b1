"""``callcenter ticket …``: the 整改 tickets from the command line.

Steps taken here (contact, report, verify) are taken as a named user (``--user``), with
that user's role and unit, exactly as on the pages; listing, showing and exporting are
the operator's and see every ticket.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from callcenter.tickets import wording
from callcenter.tickets._cli_text import echo_line, echo_ticket, parse_filters
from callcenter.tickets.export import export_xlsx, ledger_rows
from callcenter.tickets.importer import DEFAULT_CHANNEL, import_ratings
from callcenter.tickets.machine import Conclusion, ContactMethod
from callcenter.tickets.service import TicketService

app = typer.Typer(help="整改工单: bad reviews followed up to closure (states, deadlines, roles).")

EXIT_REJECTED = 3
SHOWN_REJECTS = 30
User = Annotated[str, typer.Option("--user", help="the user taking the step (role and unit apply)")]


@contextmanager
def _service(ctx: typer.Context) -> Iterator[TicketService]:
    with ctx.obj.open_ledger() as ledger:
        yield ctx.obj.ticket_service(ledger)


@app.command("list")
def list_tickets(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option(help="a unit, with its 所 and 窗口")] = None,
    state: Annotated[
        str | None, typer.Option(help="待联系 / 整改中 / … or awaiting_contact …")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="rectification | misconduct")] = None,
    due: Annotated[str | None, typer.Option(help="预警 (warning) or 超期 (overdue)")] = None,
    month: Annotated[str | None, typer.Option(help="opened in this month, YYYY-MM")] = None,
) -> None:
    """Tickets, newest first, each with its deadline and 预警 / 超期."""
    filters = parse_filters(unit, state, kind, due, month)
    with _service(ctx) as service:
        lines = service.board.lines(None, filters, service.clock.now())
    for line in lines:
        echo_line(line)
    typer.echo(f"{len(lines)} tickets")


@app.command()
def show(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="e.g. T2026-0001")]
) -> None:
    """One ticket: the case, what was unsatisfactory, each round, the timeline."""
    with _service(ctx) as service:
        ticket = service.ticket(number)
        call = None if ticket.attempt_id is None else service.call(ticket.attempt_id)
        line = service.board.line(ticket, service.clock.now())
        events = service.store.events(ticket.id)
    echo_ticket(line, wording.complaint(ticket, call), events)


@app.command()
def contact(
    ctx: typer.Context,
    number: str,
    user: User,
    summary: Annotated[str, typer.Option(help="what the applicant said, what was agreed")],
    method: Annotated[
        ContactMethod, typer.Option(help="phone / visit / other")
    ] = ContactMethod.PHONE,
) -> None:
    """The unit's liaison contacted the applicant: 待联系 → 整改中."""
    with _service(ctx) as service:
        t = service.contact(number, service.actor(user), method, summary)
    typer.echo(f"{t.title}: {t.state.label}")


@app.command()
def report(
    ctx: typer.Context,
    number: str,
    user: User,
    text: Annotated[str | None, typer.Option(help="the rectification report")] = None,
    file: Annotated[Path | None, typer.Option(help="read the report from this UTF-8 file")] = None,
) -> None:
    """The unit's rectification report: 整改中 → 已报告 (then 待再回访)."""
    if (text is None) == (file is None):
        raise typer.BadParameter("give the report with --text or --file, one of them")
    body = text if text is not None else Path(file or "").read_text(encoding="utf-8")
    with _service(ctx) as service:
        t = service.report(number, service.actor(user), body)
    typer.echo(f"{t.title}: {t.state.label}")


@app.command()
def verify(
    ctx: typer.Context,
    number: str,
    user: User,
    conclusion: Annotated[
        Conclusion,
        typer.Option(
            help="satisfied 核实满意 / invalid 无效投诉 / returned 退回 / accountability 问责"
        ),
    ],
    satisfied: Annotated[
        str, typer.Option(help="the applicant, as verified: yes / no / unreachable")
    ],
    text: Annotated[str, typer.Option(help="what the verification found")],
) -> None:
    """Supervision's verification (督查核实 / 二次督查) and its conclusion."""
    answers = {"yes": True, "no": False, "unreachable": None}
    if satisfied not in answers:
        raise typer.BadParameter("yes, no or unreachable", param_hint="--satisfied")
    with _service(ctx) as service:
        t = service.verify(number, service.actor(user), answers[satisfied], conclusion, text)
    typer.echo(f"{t.title}: {t.state.label}" + (f"（第{t.round}轮）" if t.round > 1 else ""))


@app.command()
def status(
    ctx: typer.Context, unit: Annotated[str | None, typer.Option(help="one unit")] = None
) -> None:
    """Tickets by state, then every ticket 超期 or 预警."""
    with _service(ctx) as service:
        result = service.board.status(None, service.clock.now(), unit)
    typer.echo("  ".join(f"{s.label} {n}" for s, n in result.by_state.items()))
    typer.echo(f"{result.open} open; {len(result.alerts)} 预警 or 超期")
    for line in result.alerts:
        echo_line(line)


@app.command()
def export(
    ctx: typer.Context,
    month: Annotated[str, typer.Option(help="tickets opened in this month, YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the XLSX file to write")],
    unit: Annotated[str | None, typer.Option(help="one unit, with its 所 and 窗口")] = None,
) -> None:
    """整改台账 of one month as XLSX (工单号 … 是否超期)."""
    filters = parse_filters(unit, None, None, None, month)
    with _service(ctx) as service:
        now = service.clock.now()
        tickets = [line.ticket for line in service.board.lines(None, filters, now)]
        rows = ledger_rows(tickets, service.call, now)
    export_xlsx(rows, out)
    typer.echo(f"{len(rows)} tickets written to {out}")


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK) or XLSX of ratings")],
    channel: Annotated[str, typer.Option(help="评价渠道 of rows without one")] = DEFAULT_CHANNEL,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="write every rejected row to this CSV")
    ] = None,
) -> None:
    """差评 from other channels: each opens a ticket (one per case and month).

    Columns (* required): *办件编号, 评价渠道, *评价等级 (满意度), 评价内容, *评价时间, 经办人.
    Exit code 3 when rows were rejected (the others were imported).
    """
    with _service(ctx) as service:
        r = import_ratings(file, service, channel)
    typer.echo(
        f"{r.path} ({r.encoding}): {r.rows} rows, {r.bad} 差评, {len(r.opened)} tickets "
        f"opened, {r.already} already had one, {len(r.rejected)} rejected"
    )
    if r.opened:
        typer.echo("opened: " + ", ".join(r.opened))
    for bad in r.rejected[:SHOWN_REJECTS]:
        typer.echo(f"  row {bad.row}: {bad.reason}")
    if len(r.rejected) > SHOWN_REJECTS:
        typer.echo(f"  … and {len(r.rejected) - SHOWN_REJECTS} more (use --report FILE)")
    if report_file is not None:
        with report_file.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(["行号", "原因"])
            w.writerows((bad.row, bad.reason) for bad in r.rejected)
    if r.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def notify(
    ctx: typer.Context,
    every: Annotated[
        float | None, typer.Option(help="repeat every this many seconds (else run once)")
    ] = None,
) -> None:
    """Send the notices due (new tickets, 预警, 超期), each once, by mail."""
    while True:
        with _service(ctx) as service:
            r = service.notify_due()
        typer.echo(f"{r.sent} notices sent, {len(r.failed)} failed")
        for failure in r.failed:
            typer.echo(f"  failed: {failure}")
        if r.unaddressed:
            typer.echo("no one with a mail address to tell about: " + ", ".join(r.unaddressed))
        if every is None:
            return
        time.sleep(every)


@app.command()
def bind(
    ctx: typer.Context,
    user: str,
    unit: Annotated[str | None, typer.Argument(help="the unit; omit with --off")] = None,
    off: Annotated[bool, typer.Option("--off", help="remove the user's binding")] = False,
) -> None:
    """Bind a user to the unit they work for (a liaison's tickets; no self-verification)."""
    with _service(ctx) as service:
        if off:
            removed = service.staff.unbind(user)
            typer.echo(f"{user}: " + ("binding removed" if removed else "was not bound"))
            return
        if unit is None:
            raise typer.BadParameter("name the unit, or give --off")
        service.staff.bind(user, unit)
    typer.echo(f"{user} bound to {unit}")


@app.command()
def email(
    ctx: typer.Context,
    user: str,
    address: Annotated[str | None, typer.Argument(help="where notices go; omit with --off")] = None,
    off: Annotated[bool, typer.Option("--off", help="send this user no notices")] = False,
) -> None:
    """Where a user's ticket notices go."""
    if address is None and not off:
        raise typer.BadParameter("give the address, or --off")
    with _service(ctx) as service:
        service.staff.set_email(user, None if off else address)
    typer.echo(f"{user}: " + ("no notices" if off else f"notices to {address}"))


@app.command()
def staff(ctx: typer.Context) -> None:
    """Users with the unit they are bound to and where their notices go."""
    with _service(ctx) as service:
        rows = service.staff.bindings()
    for user, role, unit, address in rows:
        typer.echo(f"{user:<20} {role:<10} {unit or '—':<30} {address or '—'}")
