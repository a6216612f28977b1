"""The composition root: the one place that builds the parts from settings and wires them.

Features take only their own settings section and the parts they use, passed in; none
of them imports this module. The command line gets a ``container.Container`` (the
settings and a clock, with the factories below bound to them); Celery workers get their
app from ``make_celery``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

from celery import Celery
from celery.signals import worker_shutdown
from redis.asyncio import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.agents.callbacks import CallbackTasks
from callcenter.agents.desk import TakeoverDesk
from callcenter.agents.notifier import Notifier, make_notifier
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog
from callcenter.calls.call import AnswerHook, CallDeps, CallResult, FinishHook
from callcenter.calls.config import CallConfig
from callcenter.calls.controller import Controller
from callcenter.calls.leases import Leases
from callcenter.calls.slots import Slots
from callcenter.calls.store import Ledger
from callcenter.campaign import tasks as campaign_tasks
from callcenter.campaign.calendar import CallingCalendar
from callcenter.campaign.dialer import (
    Dialer,
    DialRules,
    Enqueue,
    Feed,
    JobDone,
    RequestRender,
)
from callcenter.campaign.jobs import Job
from callcenter.campaign.pacing import DispatchGate
from callcenter.campaign.policy import JobResult
from callcenter.campaign.prompts import LazyRenderer, PromptRenderer
from callcenter.campaign.revisits import RevisitJobs
from callcenter.campaign.runtime import CampaignRuntime, Parts, process_app_name, redis_url
from callcenter.campaign.service import CampaignService
from callcenter.campaign.store import CampaignStore
from callcenter.cluster import parts as cluster
from callcenter.interview.script import Script, load_script
from callcenter.kernel import celery_app
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.database import make_engine, migrate, session_factory
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.ari.router import EventRouter
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.tickets.config import with_profile
from callcenter.tickets.notify import SmtpNotifier
from callcenter.tickets.revisit_calls import RevisitCalls
from callcenter.tickets.service import TicketService
from callcenter.tickets.staff import Staff
from callcenter.tickets.store import TicketStore
from callcenter.transcription import tasks as transcription_tasks
from callcenter.transcription.queue import transcription_queue
from callcenter.transcription.store import TranscriptStore

log = logging.getLogger(__name__)


# -- the database --------------------------------------------------------------------


def open_engine(settings: Settings) -> Engine:
    """An engine on the configured database, migrated to the latest schema; the caller
    disposes of it."""
    if settings.database_url.startswith("sqlite:///"):
        settings.storage_root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def open_sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database, migrated."""
    engine = open_engine(settings)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def open_ledger(settings: Settings, clock: Clock | None = None) -> Iterator[Ledger]:
    """The calls' store on the configured database, migrated."""
    with open_sessions(settings) as sessions:
        yield Ledger(sessions, clock=clock)


# -- calls -----------------------------------------------------------------------------


def prompt_cache(settings: Settings) -> PromptCache:
    return PromptCache.at(settings.prompts_dir, settings.tts_engine)


def script(settings: Settings) -> Script:
    return load_script(settings.script)


def scripts(settings: Settings, main: Script | None = None) -> dict[str, Script]:
    """The main script (``main`` if already loaded) and every script beside it
    (re-visits…), by id; each loaded and validated once."""
    main = main or script(settings)
    beside = sorted(p for p in settings.script.parent.glob("*.yaml") if p != settings.script)
    return {**{s.id: s for s in map(load_script, beside)}, main.id: main}


def call_config(settings: Settings) -> CallConfig:
    return CallConfig(
        dial=settings.dial,
        ivr=settings.ivr,
        controller=settings.controller,
        storage_root=settings.storage_root,
        recordings_dir=settings.recordings_dir,
        spool_dir=settings.asterisk_recordings,
    )


@asynccontextmanager
async def controller(
    settings: Settings,
    ledger: Ledger,
    slots: Slots | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Controller]:
    """A running controller with its takeover desk and the queuing of transcriptions;
    ``slots`` shares the concurrency limit with other processes."""
    clock = clock or SystemClock()
    router = EventRouter()
    main = script(settings)
    loaded = scripts(settings, main)
    async with contextlib.AsyncExitStack() as stack:
        ari = await stack.enter_async_context(AriClient(settings.ari))
        notifier = make_notifier(settings.agents.events_url, settings.agents.events_channel)
        await stack.enter_async_context(notifier)
        hooks: list[AnswerHook] = []
        if settings.transcription.enabled:
            hooks.append(await _transcription_hook(settings, ledger.sessions, stack))
        deps = CallDeps(
            ari=ari,
            router=router,
            ledger=ledger,
            script=main,
            scripts=loaded,
            prompts=prompt_cache(settings),
            config=call_config(settings),
            clock=clock,
            owner=ari.app,
            handover=takeover_desk(settings, ari, router, ledger.sessions, notifier, clock),
            answer_hooks=tuple(hooks),
            finish_hooks=(_ticket_hook(ticket_service(settings, ledger, clock, loaded)),),
        )
        ctl = Controller(deps, slots=slots, leases=Leases(ledger.sessions))
        # the queue (entered above) drains after the controller has stopped
        yield await stack.enter_async_context(ctl)


def _ticket_hook(tickets: TicketService) -> FinishHook:
    """Open the 整改 ticket a finished call calls for (its script's ticket rules)."""

    async def open_ticket(result: CallResult) -> None:
        if not tickets.may_open(result.script_id, result.outcome, result.answers):
            return
        ticket = await asyncio.to_thread(tickets.on_call_finished, result.attempt_id)
        if ticket is not None:
            log.info("call %s: 整改 ticket %s", result.attempt_id, ticket)

    return open_ticket


async def _transcription_hook(
    settings: Settings, sessions: sessionmaker[Session], stack: contextlib.AsyncExitStack
) -> AnswerHook:
    app = make_celery(settings)
    stack.callback(app.close)
    queue = await stack.enter_async_context(
        transcription_queue(app, TranscriptStore(sessions), settings.transcription.queue)
    )
    return queue.on_answer


def takeover_desk(
    settings: Settings,
    ari: AriClient,
    router: EventRouter,
    sessions: sessionmaker[Session],
    notifier: Notifier,
    clock: Clock | None = None,
) -> TakeoverDesk:
    """The desk that hands calls to human agents, on the ledger's database."""
    clock = clock or SystemClock()
    return TakeoverDesk(
        ari,
        router,
        AgentRoster(sessions, clock),
        TakeoverLog(sessions, clock),
        CallbackTasks(sessions, clock),
        notifier,
        settings.agents,
        clock,
    )


# -- campaigns -------------------------------------------------------------------------


def campaign_service(
    settings: Settings, ledger: Ledger, clock: Clock | None = None, name: str | None = None
) -> CampaignService:
    """Planning and operator actions on campaigns, on the ledger's database, by the rules
    of profile ``name`` (default: the installation's, which calls with its main script)."""
    clock = clock or SystemClock()
    chosen = settings.organisation(name)
    return CampaignService(
        CampaignStore(ledger.sessions, clock),
        settings.campaign,
        CallingCalendar.from_settings(settings.campaign, chosen.cycle.call_days),
        clock,
        chosen,
        None if chosen.id == settings.profile else chosen.script,
    )


def plan_month(settings: Settings, clock: Clock | None = None) -> tuple[str, bool]:
    """Beat's task: plan the profile's cycle (last month's cases, or the previous working
    day's on a working day), start the plan if so configured."""
    with open_ledger(settings) as ledger:
        service = campaign_service(settings, ledger, clock)
        if (label := service.due_cycle()) is None:
            return "", False  # a daily profile on a day off: nobody is called today
        plan = service.plan(label)
        if plan.created and settings.campaign.auto_start:
            service.start(plan.campaign.month)
    log.info("campaign %s planned (%s)", plan.campaign.month, plan.campaign.state)
    for warning in plan.warnings:
        log.warning("campaign %s: %s", plan.campaign.month, warning)
    return plan.campaign.month, plan.created


def revisit_hooks(
    settings: Settings, ledger: Ledger, clock: Clock, loaded: Mapping[str, Script] | None = None
) -> tuple[Feed, JobDone]:
    """The dialler's link to the tickets: re-visits due become dial jobs before each
    dispatch, and a re-visit job's end is recorded on its ticket."""
    tickets = ticket_service(settings, ledger, clock, loaded)
    revisits = RevisitCalls(tickets, RevisitJobs(ledger.sessions, clock), ledger)

    async def feed() -> int:
        return await asyncio.to_thread(revisits.feed)

    async def on_done(job: Job, result: JobResult, last_attempt: str) -> None:
        if job.ticket_id is not None:
            await asyncio.to_thread(revisits.done, job.ticket_id, job.round, result, last_attempt)

    return feed, on_done


def prompt_renderer(settings: Settings, clock: Clock | None = None) -> PromptRenderer:
    """What the worker's ``render_prompts`` task renders with. Not migrated here:
    alembic's context is one per process, and the worker's campaign runtime may be
    migrating in another thread."""
    ledger = Ledger(session_factory(make_engine(settings.database_url)), clock=clock)
    main = script(settings)
    return PromptRenderer(
        CampaignStore(ledger.sessions, clock), ledger, prompt_cache(settings),
        scripts(settings, main), main, settings.campaign.render_workers,
    )  # fmt: skip


def campaign_runtime(
    settings: Settings,
    enqueue: Enqueue,
    clock: Clock | None = None,
    render: RequestRender | None = None,
    send_to: cluster.SendTo | None = None,
) -> CampaignRuntime:
    """A worker process's loop with its controller and dialer, named after the process;
    with ``send_to``, it drives its server of the set (``cluster``) and routes jobs."""
    clock = clock or SystemClock()
    server = cluster.this_server(settings)
    app_name = process_app_name(server.ari.app)
    own = cluster.server_settings(settings, server)
    own = own.model_copy(update={"ari": server.ari.model_copy(update={"app": app_name})})

    async def open_parts(stack: contextlib.AsyncExitStack) -> Parts:
        c = own.campaign
        engine = open_engine(own)
        stack.callback(engine.dispose)
        sessions = session_factory(engine)
        ledger = Ledger(sessions, clock=clock)
        redis = Redis.from_url(redis_url(c))
        stack.push_async_callback(redis.aclose)
        served = await cluster.open_server_parts(stack, own, redis, send_to) if send_to else None
        slots = served.slots if served else cluster.trunk_slots(stack, own, redis)
        ctl = await stack.enter_async_context(controller(own, ledger, slots, clock))
        if served:
            await cluster.watch_server(stack, served, ctl)
        feed, on_done = revisit_hooks(own, ledger, clock, ctl.deps.scripts)
        dialer = Dialer(
            CampaignStore(sessions, clock),
            ledger,
            ctl,
            slots,
            DialRules.from_settings(c, own.organisation().cycle.call_days),
            clock=clock,
            enqueue=enqueue,
            render=render,
            on_done=on_done,
            feed=feed,
            route=served.route if served else None,
        )
        return Parts(dialer, DispatchGate(redis, c.key_prefix), slots)

    return CampaignRuntime(app_name, open_parts)


# -- 整改 tickets ------------------------------------------------------------------------


def ticket_service(
    settings: Settings,
    ledger: Ledger,
    clock: Clock | None = None,
    loaded: Mapping[str, Script] | None = None,
) -> TicketService:
    """Tickets on the ledger's database: opened after calls and from ratings, worked on the
    pages and the command line, deadlines on the calling calendar, notices by mail.
    ``loaded``: the scripts by id, when the caller has them already."""
    clock = clock or SystemClock()
    return TicketService(
        TicketStore(ledger.sessions),
        Staff(ledger.sessions, clock),
        ledger,
        loaded if loaded is not None else scripts(settings),
        CallingCalendar.from_settings(settings.campaign),
        with_profile(settings.tickets, settings.organisation().tickets),
        clock,
        SmtpNotifier.from_settings(settings.tickets),
    )


# -- Celery ----------------------------------------------------------------------------


def make_celery(settings: Settings, *, worker: bool = False, clock: Clock | None = None) -> Celery:
    """The Celery app with every feature's tasks; ``worker`` also ties the process's
    campaign runtime and transcription state to worker shutdown."""
    c = settings.campaign
    app = celery_app.make_celery(
        c.broker_url,
        timezone=c.timezone,
        worker_threads=c.worker_threads,
        key_prefix=c.broker_prefix,
        beat_schedule=campaign_tasks.beat_schedule(c, settings.organisation().cycle),
    )
    context = campaign_tasks.WorkerContext(
        app,
        make_runtime=lambda enqueue: campaign_runtime(
            settings, enqueue, clock, render=context.send_render, send_to=cluster.sender(app)
        ),
        plan_month=lambda: plan_month(settings, clock),
        render_prompts=LazyRenderer(lambda: prompt_renderer(settings, clock)).render,
    )
    campaign_tasks.register(app, context)
    if worker:  # the shared queue and its server's, its runtime started when ready
        cluster.serve_as_worker(app, settings, context.runtime)
    # on a queue of its own, served by `callcenter transcription worker`
    transcriber = transcription_tasks.TranscriptionWorker(
        settings.transcription, settings.storage_root, lambda: open_engine(settings)
    )
    transcription_tasks.register(app, transcriber)
    if worker:
        worker_shutdown.connect(lambda **_: context.stop(), weak=False)
        transcription_tasks.close_on_shutdown(transcriber)
    app.callcenter_context = context  # type: ignore[attr-defined]
    return app

