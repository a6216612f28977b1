"""Program the simulated applicants of the sandbox (see dialplans/extensions.conf.j2).

The behaviour of the person at a number is a global variable ``SIM_<number>`` that the
sandbox dialplan reads when the call arrives over the second SIP transport.
"""

from __future__ import annotations

import re
from typing import Protocol

from callcenter.kernel.errors import SandboxError

# k and b take one key or several pressed in a row (SendDTMF plays them 250 ms apart):
# "k12#" types a number and ends it with #
_STEP = re.compile(r"^(k[0-9*#]{1,20}|b[0-9*#]{1,20}|s|w\d+(\.\d+)?|t[a-z0-9_-]*|h)$")
MODES = ("answer", "busy", "noanswer", "congestion", "reject")


class _GlobalVars(Protocol):
    async def set_global_var(self, name: str, value: str) -> None: ...


def validate(behaviour: str) -> str:
    """Check a behaviour string; raise SandboxError naming the bad step."""
    mode, *steps = behaviour.split("/")
    if mode not in MODES:
        raise SandboxError(
            f"simulated behaviour {behaviour!r}: mode {mode!r} is not one of {MODES}"
        )
    if mode != "answer" and steps:
        raise SandboxError(f"simulated behaviour {behaviour!r}: only 'answer' takes steps")
    for i, step in enumerate(steps, 1):
        if not _STEP.match(step):
            raise SandboxError(
                f"simulated behaviour {behaviour!r}: step {i} {step!r} is not k<keys>, b<keys>, "
                "s, w<seconds>, t[sound] or h"
            )
    return behaviour


def answer(*steps: str) -> str:
    return validate("/".join(("answer", *steps)))


def keys(digits: str, barge_in: bool = True) -> list[str]:
    """Steps pressing each key in turn: during the prompt (barge-in) or after it."""
    prefix = "b" if barge_in else "k"
    return [f"{prefix}{d}" for d in digits]


async def program(ari: _GlobalVars, number: str, behaviour: str) -> None:
    if not number.isdigit():
        raise SandboxError(f"simulated number {number!r} must be digits only")
    await ari.set_global_var(f"SIM_{number}", validate(behaviour))
