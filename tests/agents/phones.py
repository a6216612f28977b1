"""Agents with real softphones (baresip) on the sandbox, for the end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import math
import statistics
import uuid
import wave
from array import array
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

from callcenter.agents.admin import AgentAdmin
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.agents.takeover_log import TakeoverLog, TakeoverView
from callcenter.calls.call import CallResult
from callcenter.calls.store import Ledger
from callcenter.interview.case import CaseInfo
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox.softphone import Softphone

STATION = "城区市场监管所"


def unique_login(prefix: str = "t") -> str:
    # Asterisk keeps pushed agents in its AstDB across runs: never reuse a name
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def wait_registered(
    ari: AriClient, login: str, timeout: float = 10, registered: bool = True
) -> None:
    presence = Presence(ari)
    async with asyncio.timeout(timeout):
        while (await presence.phone(login)).registered != registered:
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def agent_phone(
    settings: Settings,
    ledger: Ledger,
    workdir: Path,
    *,
    auto_answer: bool,
    ready: bool = True,
    kind: str = "agent",
    name: str = "测试坐席",
    tone_hz: float = 440.0,
) -> AsyncIterator[Softphone]:
    """An agent added through the admin path, its baresip registered, marked ready."""
    login = unique_login()
    roster = AgentRoster(ledger.sessions)
    async with AriClient(settings.ari) as ari:
        admin = AgentAdmin(roster, ari, settings.agents)
        added = await admin.add(login, name, kind=kind)
        assert added.not_pushed is None, added.not_pushed
        phone = Softphone(
            login, added.password, workdir / login, auto_answer=auto_answer, tone_hz=tone_hz
        )
        try:
            await phone.start()
            await wait_registered(ari, login)
            if ready:
                await asyncio.to_thread(roster.set_ready, login, True)
            yield phone
        finally:
            await phone.stop()
            await admin.disable(login)


def add_case(ledger: Ledger, phone: str, name: str = "王伟") -> CaseInfo:
    ledger.upsert_unit(STATION, "station")
    case_id = ledger.add_case(
        f"TAKEOVER-{phone}-{uuid.uuid4().hex[:6]}",
        STATION,
        name,
        phone,
        "个体工商户设立登记",
        date(2026, 10, 9),
        title="先生",
    )
    return ledger.case_info(case_id)


async def takeover_of(
    log: TakeoverLog,
    attempt_id: str,
    state: str,
    call: asyncio.Task[CallResult] | None = None,
    timeout: float = 30,
) -> TakeoverView:
    """The call's latest takeover once it is in ``state``; fails saying what happened."""
    views: list[TakeoverView] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                views = await asyncio.to_thread(log.for_attempt, attempt_id)
                if views and views[-1].state == state:
                    return views[-1]
                if call is not None and call.done():
                    break
                await asyncio.sleep(0.1)
    except TimeoutError:
        pass
    ended = call.result() if call is not None and call.done() else None
    raise AssertionError(
        f"takeover of {attempt_id} never {state}: takeovers {views}, call result {ended}"
    )


def phone_number() -> str:
    """A fresh simulated applicant's number (the sandbox's SIM_<number> variables)."""
    return "1395" + str(uuid.uuid4().int)[:7]


def tone_level(wav: Path, hz: float, start: float = 0.0, seconds: float | None = None) -> float:
    """RMS amplitude of the ``hz`` component of a 16-bit mono WAV (Goertzel), from
    ``start`` for ``seconds``: how loud that tone is in the recording."""
    with wave.open(str(wav), "rb") as w:
        rate = w.getframerate()
        w.setpos(min(w.getnframes(), int(start * rate)))
        count = w.getnframes() if seconds is None else int(seconds * rate)
        frames = w.readframes(count)
    samples = array("h", frames)
    if not samples:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return math.sqrt(max(power, 0.0)) * math.sqrt(2) / len(samples)


def tone_contrast(wav: Path, hz: float, start: float = 0.0, seconds: float | None = None) -> float:
    """How far the ``hz`` component stands above the frequencies around it (15–45 Hz away).

    A call also carries prompts and line noise, whose broadband energy at ``hz`` varies from
    run to run; a tone that reached the listener is a narrow peak far above its neighbours
    (a present tone measures 50–100 here), anything else about 1."""
    level = tone_level(wav, hz, start, seconds)
    around = [tone_level(wav, hz + d, start, seconds) for d in (-45, -35, -25, -15, 15, 25, 35, 45)]
    return level / max(statistics.median(around), 1e-9)
