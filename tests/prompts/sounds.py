"""What the simulated supervisor says on the phone: a prompt's words in the clearest voice
installed, put among the sounds the sandbox's simulated people play (``t<name>``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from callcenter.settings import Settings
from callcenter.telephony.prompts.audio import to_telephone
from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import best_installed, get_engine
from callcenter.telephony.sandbox.process import Sandbox
from tests.sandbox_fixtures import TEST_STORAGE

# a person reading a sentence (AISHELL-1, Apache-2.0: see its SOURCE.md), and what they read
HUMAN_SPEECH = Path(__file__).resolve().parent.parent / "fixtures" / "human_speech"
HUMAN_SAID = (HUMAN_SPEECH / "BAC009S0764W0121.wav", "甚至出现交易几乎停滞的情况")

# every run's recordings under the storage the sandbox's Asterisk shares, each in a
# folder of its own: what one approves is never played by another test
PHONE_TESTS = TEST_STORAGE / "prompt-phone-tests"


def spoken_sound(settings: Settings, text: str, name: str) -> Path:
    """``text`` said by the clearest voice installed, as the simulated people's sound
    ``name`` (copied beside the sandbox's own, as ``callcenter sandbox up`` does)."""
    cache = PromptCache(get_engine(best_installed()), TEST_STORAGE / "prompts" / "cache")
    said = cache.render(text)
    sandbox = Sandbox(settings)
    shutil.copyfile(said, sandbox.host(f"{sandbox.state}/sim/{name}.wav"))
    return said


def human_sound(settings: Settings, name: str) -> tuple[Path, str]:
    """A person's sentence in the telephone format as the simulated people's sound
    ``name``, and its words: a recogniser reads real speech far more surely than any
    synthetic voice, so what it heard can be checked against the words."""
    sandbox = Sandbox(settings)
    dst = sandbox.host(f"{sandbox.state}/sim/{name}.wav")
    to_telephone(HUMAN_SAID[0], dst)
    return dst, HUMAN_SAID[1]


def sandbox_sound(settings: Settings, name: str) -> Path:
    """One of the sounds the simulated people play."""
    sandbox = Sandbox(settings)
    return sandbox.host(f"{sandbox.state}/sim/{name}.wav")
