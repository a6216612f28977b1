"""``callcenter campaign …``: plan a month, run it on the workers, watch, pause, resume."""

from __future__ import annotations

import csv
import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from callcenter.campaign.holidays import load_year_file
from callcenter.campaign.runtime import process_app_name
from callcenter.campaign.service import Plan
from callcenter.campaign.status import CampaignStatus, campaign_status
from callcenter.campaign.store import CampaignStore, SampleRow
from callcenter.campaign.tasks import DISPATCH, RENDER_PROMPTS
from callcenter.cases.phones import PhoneError, normalise
from callcenter.kernel.errors import CampaignError
from callcenter.web.masking import mask_phone

app = typer.Typer(help="Monthly follow-up campaigns: sample, pace, dial, retry.")
dnc = typer.Typer(help="The do-not-call list.")
app.add_typer(dnc, name="dnc")

REASONS = {
    "complaint": "投诉件100%",
    "unit_quota": "单位月度最低数",
    "bureau_quota": "全局月度最低数",
    "all": "全部回访（100%）",
}
KINDS = {"bureau": "局", "window": "窗口", "station": "所"}
MonthOption = Annotated[str | None, typer.Option(help="calling month YYYY-MM (default: latest)")]


@app.command()
def plan(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option(
            help="calling month YYYY-MM (covers the profile's cycle before it), or calling "
            "day YYYY-MM-DD of a profile called every working day"
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="profile (profiles/<id>.yaml) whose rules to plan by; default: setting"),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="seed of the draw, to reproduce one")] = None,
    redraw: Annotated[bool, typer.Option(help="draw again a plan not started yet")] = False,
    show: Annotated[int, typer.Option(help="sampled cases to list (0: none, -1: all)")] = 20,
    full_numbers: Annotated[
        bool, typer.Option("--full-numbers", help="show phone numbers in full (masked otherwise)")
    ] = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="write every sampled case to this CSV (UTF-8 with BOM, Excel)"),
    ] = None,
) -> None:
    """Draw (or show) the month's sample and quotas; nothing is dialled."""
    with ctx.obj.open_ledger() as ledger:
        service = ctx.obj.campaign_service(ledger, profile)
        result = service.plan(month, seed=seed, redraw=redraw)
        rows = CampaignStore(ledger.sessions).sample(result.campaign.month)
    Console().print(plan_view(result, rows, show, full_numbers))
    if csv_file is not None:
        write_plan_csv(csv_file, rows, full_numbers)
        typer.echo(f"{len(rows)} sampled cases written to {csv_file}")
    _warn(result.warnings)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)


PLAN_COLUMNS = ("序", "抽样理由", "办件编号", "单位", "申请人", "电话", "事项", "办结日期", "状态")


def plan_row(r: SampleRow, full_numbers: bool) -> list[str]:
    """A sampled case as the plan lists it; the number masked unless asked in full."""
    phone = r.case.phone if full_numbers else mask_phone(r.case.phone)
    return [
        str(r.draw), REASONS.get(r.reason, r.reason), r.case.case_no, r.case.unit,
        r.case.applicant_name, phone, r.case.matter, str(r.case.completed_on),
        r.job_result or r.job_state,
    ]  # fmt: skip


def write_plan_csv(path: Path, rows: list[SampleRow], full_numbers: bool) -> None:
    # the BOM lets Excel open it as UTF-8
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(PLAN_COLUMNS)
        w.writerows(plan_row(r, full_numbers) for r in rows)


def plan_view(p: Plan, rows: list[SampleRow], show: int, full_numbers: bool = False) -> Group:
    c, s = p.campaign, p.campaign.summary
    head = (
        f"campaign {c.month} ({c.state}): cases completed {c.period_start} – {c.period_end} "
        f"(exclusive); seed {c.seed}; {'drawn now' if p.created else 'drawn ' + str(c.created_at)}"
    )
    if "profile" in s:
        head += f"; profile {s['profile']} (sampling: {s.get('rules', {}).get('sampling')})"
    units = Table(title="回访数量要求（每月最低）")
    for col in ("单位", "类型", "最低要求", "可抽取", "投诉件", "抽中", "缺口"):
        units.add_column(
            col, justify="left" if col in ("单位", "类型") else "right", overflow="fold"
        )
    for u in s.get("units", []):
        units.add_row(
            u["unit"],
            KINDS.get(u["kind"], u["kind"]),
            str(u["required"]),
            str(u["eligible"]),
            str(u["complaints"]),
            str(u["chosen"]),
            str(u["shortfall"]) if u["shortfall"] else "",
        )
    units.add_row(
        "全局合计", "局", str(s.get("bureau_required", 0)), str(s.get("candidates", 0)),
        str(s.get("reasons", {}).get("complaint", 0)), str(s.get("drawn", 0)),
        str(s.get("bureau_shortfall", 0) or ""),
    )  # fmt: skip
    excluded = ", ".join(f"{k} {v}" for k, v in sorted(s.get("excluded", {}).items()))
    parts: list[object] = [head, units, f"excluded: {excluded or 'none'}"]
    if show:
        listed = rows if show < 0 else rows[:show]
        t = Table(title=f"抽样明细（{len(listed)}/{len(rows)}）")
        for col in PLAN_COLUMNS:
            t.add_column(col)
        for r in listed:
            t.add_row(*plan_row(r, full_numbers))
        parts.append(t)
    return Group(*parts)  # type: ignore[arg-type]


@app.command()
def run(
    ctx: typer.Context,
    month: MonthOption = None,
    watch: Annotated[bool, typer.Option(help="show live progress until the campaign ends")] = True,
    interval: Annotated[float, typer.Option(help="seconds between progress updates")] = 1.0,
) -> None:
    """Start (or resume) dialling on the workers, and watch it progress."""
    settings = ctx.obj.settings
    celery = ctx.obj.celery()
    if not celery.control.ping(timeout=2.0):
        raise CampaignError(
            f"no campaign worker answers on {settings.campaign.broker_url}; "
            "start one with 'callcenter campaign worker'"
        )
    with ctx.obj.open_ledger() as ledger:
        service = ctx.obj.campaign_service(ledger)
        view = service.start(month)
        warnings = service.calendar_warnings(view.month)
    # prompts first: a dial task whose prompts are not ready yet is held back
    celery.send_task(RENDER_PROMPTS, args=[None, None])
    celery.send_task(DISPATCH)
    typer.echo(f"campaign {view.month} running")
    _warn(warnings)
    if watch:
        _watch(ctx.obj, view.month, interval)


def _watch(deps: Any, month: str, interval: float) -> None:
    with deps.open_ledger() as ledger, Live(refresh_per_second=4) as live:
        store = CampaignStore(ledger.sessions)
        try:
            while True:
                status = campaign_status(store, month)
                why = pause_line(status)
                live.update(
                    status_table(status) if why is None else Group(status_table(status), why)
                )
                if status.state == "finished":
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            live.console.print("stopped watching; the campaign goes on (see 'campaign status')")


def status_table(s: CampaignStatus) -> Table:
    t = Table(title=f"campaign {s.month}: {s.state}", show_header=True)
    cols = (
        ("sampled", s.total), ("dialled", s.dialled), ("answered", s.answered),
        ("completed", s.completed), ("retrying", s.retrying), ("in progress", s.in_progress),
        ("remaining", s.remaining), ("refused", s.refused), ("partial", s.partial),
        ("unreached", s.unreached), ("calls", s.attempts),
    )  # fmt: skip
    for name, _ in cols:
        t.add_column(name, justify="right")
    t.add_row(*(str(v) for _, v in cols))
    return t


def pause_line(s: CampaignStatus) -> str | None:
    return f"paused by the dialler: {s.pause_reason}" if s.pause_reason else None


@app.command()
def status(
    ctx: typer.Context,
    month: MonthOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Where a campaign stands: dialled / answered / completed / retrying / remaining."""
    with ctx.obj.open_ledger() as ledger:
        s = campaign_status(CampaignStore(ledger.sessions), month)
    if as_json:
        typer.echo(json.dumps(s.as_dict(), ensure_ascii=False))
    else:
        Console().print(status_table(s))
        if (why := pause_line(s)) is not None:
            typer.echo(why)


@app.command()
def pause(ctx: typer.Context, month: MonthOption = None) -> None:
    """No new call starts; calls on the line finish."""
    with ctx.obj.open_ledger() as ledger:
        view = ctx.obj.campaign_service(ledger).pause(month)
    typer.echo(f"campaign {view.month} paused")


@app.command()
def resume(ctx: typer.Context, month: MonthOption = None) -> None:
    """Dial again after a pause."""
    with ctx.obj.open_ledger() as ledger:
        service = ctx.obj.campaign_service(ledger)
        view = service.resume(month)
        warnings = service.calendar_warnings(view.month)
    ctx.obj.celery().send_task(DISPATCH)
    typer.echo(f"campaign {view.month} running")
    _warn(warnings)


@app.command()
def worker(
    ctx: typer.Context,
    threads: Annotated[
        int | None, typer.Option(help="calls at once (campaign.worker_threads)")
    ] = None,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run a Celery worker that dials (any number of them may run)."""
    settings = ctx.obj.settings
    with ctx.obj.open_ledger():
        pass  # migrated before any task touches the tables
    celery = ctx.obj.celery(worker=True)
    argv = ["worker", "--pool=threads", f"--loglevel={loglevel}"]
    argv += [f"--concurrency={threads or settings.campaign.worker_threads}"]
    argv += [f"--hostname={process_app_name('campaign')}@%h"]
    celery.worker_main(argv)


@app.command()
def beat(
    ctx: typer.Context,
    schedule: Annotated[Path, typer.Option(help="file where beat keeps its schedule")] = Path(
        "storage/celerybeat-schedule"
    ),
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run Celery beat: the monthly plan and the dispatch every few seconds (run one)."""
    schedule.parent.mkdir(parents=True, exist_ok=True)
    celery = ctx.obj.celery()
    celery.start(["beat", f"--schedule={schedule}", f"--loglevel={loglevel}"])


@app.command()
def holidays(
    files: Annotated[list[Path], typer.Argument(help="holiday files (YAML, one year each)")],
) -> None:
    """Check holiday files for campaign.calendar_files and show what they say."""
    for f in files:
        y = load_year_file(f)
        named: dict[str, list[date]] = {}
        for day, name in sorted(y.holidays.items()):
            named.setdefault(name, []).append(day)
        typer.echo(f"{f}: {y.year}, {len(y.holidays)} days off, {len(y.workdays)} 调休上班")
        for name, days in named.items():
            n = len(days)
            typer.echo(f"  {name}: {days[0]} – {days[-1]} ({n} day{'s' * (n != 1)})")
        typer.echo("  调休上班: " + (", ".join(str(d) for d in sorted(y.workdays)) or "none"))


@dnc.command("add")
def dnc_add(
    ctx: typer.Context,
    phone: str,
    reason: Annotated[str, typer.Option(help="why, as the applicant said")] = "",
) -> None:
    """Never call this number again (honoured when sampling and before each dial)."""
    number = _number(phone)
    with ctx.obj.open_ledger() as ledger:
        added = CampaignStore(ledger.sessions).add_do_not_call(number, reason, ctx.obj.clock.now())
    typer.echo(f"{number}: {'added' if added else 'already on the list'}")


@dnc.command("remove")
def dnc_remove(ctx: typer.Context, phone: str) -> None:
    number = _number(phone)
    with ctx.obj.open_ledger() as ledger:
        removed = CampaignStore(ledger.sessions).remove_do_not_call(number)
    typer.echo(f"{number}: {'removed' if removed else 'was not on the list'}")


@dnc.command("list")
def dnc_list(ctx: typer.Context) -> None:
    with ctx.obj.open_ledger() as ledger:
        entries = CampaignStore(ledger.sessions).do_not_call()
    for phone, reason in sorted(entries.items()):
        typer.echo(f"{phone}\t{reason}")


def _number(phone: str) -> str:
    try:
        return normalise(phone)
    except PhoneError as exc:
        raise CampaignError(str(exc)) from None
