"""Recording a prompt by phone on the real Asterisk sandbox. The supervisor's phone is a
simulated person at a number (Asterisk calling itself over its second SIP transport):
it listens to the instructions, reads one sentence after the beep and presses #, presses
2 while it plays back, reads the prompt's own words, presses # and then 1. Only the
second take becomes a version: pending, checked by transcribing it back, not live.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.agents.roster import AgentRoster
from callcenter.calls.store import Ledger
from callcenter.interview.script import load_script
from callcenter.kernel.clock import SystemClock
from callcenter.prompts import phone
from callcenter.prompts.recorder import PhoneRecorder, PhoneSession, RecorderPaths
from callcenter.prompts.service import PromptService
from callcenter.prompts.store import RecordingStore
from callcenter.prompts.tables import PENDING
from callcenter.settings import PROJECT_ROOT, Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.prompts.audio import duration_seconds, to_telephone
from callcenter.telephony.sandbox import simulator
from callcenter.transcription.cer import score
from callcenter.transcription.engine import load_transcriber
from tests.agents.phones import agent_phone, phone_number
from tests.prompts.sounds import PHONE_TESTS, human_sound, sandbox_sound, spoken_sound
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings

pytestmark = pytest.mark.asterisk

SCRIPT = load_script(PROJECT_ROOT / "ivr_scripts" / "yima_phone_followup.yaml")
PROMPT_ID = "consent_thanks"
TEXT = "非常感谢您的支持！"
# the simulated person's first take: the sandbox's stock sentence, much longer than TEXT
FIRST_TAKE = "speech"


@pytest.fixture
def settings(sandbox: Settings, tmp_path: Path) -> Settings:
    db = tmp_path / "ledger.db"
    # an ARI app of this run's own, like the controller's (see e2e_settings)
    return e2e_settings(
        database_url=f"sqlite:///{db}", prompts={"phone_app": f"callcenter-prompts-{os.getpid()}"}
    )


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    with bootstrap.open_ledger(settings) as ledger:
        yield ledger


@pytest.fixture
def service(settings: Settings, ledger: Ledger) -> Iterator[PromptService]:
    # a folder of this test's own under the storage Asterisk shares: nothing here is
    # approved, but no other test's prompts should ever depend on that
    folder = PHONE_TESTS / uuid.uuid4().hex[:12]
    transcriber = load_transcriber(settings.transcription)
    yield PromptService(
        RecordingStore(ledger.sessions, SystemClock()),
        lambda: [SCRIPT],
        lambda: transcriber,
        settings.prompts,
        TEST_STORAGE,
        folder / "recorded",
        settings.tts_engine,
    )
    shutil.rmtree(folder, ignore_errors=True)


def make_recorder(
    ari: AriClient, settings: Settings, service: PromptService, roster: AgentRoster | None = None
) -> PhoneRecorder:
    return PhoneRecorder(
        ari,
        service,
        bootstrap.prompt_cache(settings),
        roster,
        settings.prompts,
        settings.dial,
        RecorderPaths(settings.asterisk_recordings, service.recorded_dir / "takes"),
    )


async def follow(session: PhoneSession, timeout: float = 120) -> list[tuple[str, int]]:
    """Every state the call went through, until it ends."""
    states: list[tuple[str, int]] = []
    async with asyncio.timeout(timeout):
        while not session.ended.is_set():
            if not states or states[-1] != (session.state, session.take):
                states.append((session.state, session.take))
            await asyncio.sleep(0.05)
    return states


async def test_a_take_read_on_the_phone_becomes_a_pending_version(
    settings: Settings, service: PromptService
) -> None:
    sound = f"prompt-take-{os.getpid()}"
    # the second take is a person reading another sentence than the prompt's
    said, words = human_sound(settings, sound)
    number = phone_number()
    ari_settings = settings.ari.model_copy(update={"app": settings.prompts.phone_app})
    async with AriClient(ari_settings) as ari:
        # 2 while the first take plays back, 1 after hearing the second to its end
        program = simulator.answer(f"t{FIRST_TAKE}", "k#", "b2", f"t{sound}", "k#", "k1")
        await simulator.program(ari, number, program)
        recorder = make_recorder(ari, settings, service)
        try:
            session = await recorder.start(SCRIPT.id, PROMPT_ID, number, "boss")
            states = await follow(session)
        finally:
            await recorder.close()

    assert (session.state, session.error, session.version) == (phone.SAVED_STATE, "", 1), states
    # 2 after the first take led to a second one, which was kept
    assert (phone.REVIEWING, 1) in states and (phone.RECORDING, 2) in states
    [version] = service.versions(service.prompt(SCRIPT.id, PROMPT_ID))
    assert (version.version, version.status, version.uploaded_by) == (1, PENDING, "boss")
    listed = [r for r in service.listing() if r.prompt.prompt_id == PROMPT_ID]
    assert [(r.source, r.live) for r in listed] == [(settings.tts_engine, None)]  # not live

    # the version is what the person said in the second take, in the telephone format
    kept = service.storage_root / version.path
    assert kept.is_file() and not (service.recorded_dir / "takes" / session.id).exists()
    assert abs(version.seconds - duration_seconds(said)) < 0.6, (version.seconds, said)
    first = service.recorded_dir / "first-take.wav"
    to_telephone(sandbox_sound(settings, FIRST_TAKE), first)
    assert duration_seconds(first) > version.seconds + 2  # not the first take
    # checked by transcribing it back: the person's words heard, and flagged as far
    # from the prompt's text
    assert score(words, version.heard).cer <= 0.34, (words, version.heard)
    assert version.cer > 0.8, (TEXT, version.heard)


async def test_a_supervisors_own_sip_phone_records_the_prompt(
    settings: Settings, ledger: Ledger, service: PromptService, tmp_path: Path
) -> None:
    """A real softphone (baresip) registered as the supervisor's phone: offered as the
    phone to call, rung over PJSIP, its sentence recorded, # and 1 sent as RFC 4733 keys."""
    said = spoken_sound(settings, TEXT, f"prompt-softphone-{os.getpid()}")
    ari_settings = settings.ari.model_copy(update={"app": settings.prompts.phone_app})
    roster = AgentRoster(ledger.sessions)
    async with (
        agent_phone(
            settings, ledger, tmp_path, auto_answer=True, ready=False, kind="supervisor"
        ) as softphone,
        AriClient(ari_settings) as ari,
    ):
        # the phone says nothing while it hears the instructions, then the sentence
        intro = bootstrap.prompt_cache(settings).render(phone.INTRO)
        _voice(softphone.dir / "voice.wav", said, quiet=duration_seconds(intro) + 3)
        recorder = make_recorder(ari, settings, service, roster)
        try:
            assert await recorder.default_phone(softphone.login) == softphone.login
            session = await recorder.start(SCRIPT.id, PROMPT_ID, softphone.login, "boss")
            async with asyncio.timeout(60):
                while session.state != phone.RECORDING:
                    await asyncio.sleep(0.05)
                # the sentence starts at most 3 s into the take; # once it has been said
                await asyncio.sleep(3 + duration_seconds(said) + 1)
                await softphone.command("sndcode", "#")
                while session.state != phone.REVIEWING:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(1)
                await softphone.command("sndcode", "1")
            await follow(session)
        finally:
            await recorder.close()

    assert (session.state, session.error, session.version) == (phone.SAVED_STATE, "", 1)
    [version] = service.versions(service.prompt(SCRIPT.id, PROMPT_ID))
    assert version.status == PENDING
    assert abs(version.seconds - duration_seconds(said)) < 0.6, (version.seconds, said)


def _voice(path: Path, said: Path, quiet: float) -> None:
    """What the softphone sends from when it answers: ``quiet`` seconds of silence, the
    sentence, then silence (baresip reads its source file anew for each call)."""
    with wave.open(str(said), "rb") as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * int(quiet * rate)) + frames + bytes(2 * 30 * rate))
