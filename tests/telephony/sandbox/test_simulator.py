from __future__ import annotations

import pytest

from callcenter.kernel.errors import SandboxError
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.config import AsteriskConfig, AsteriskDirs, render


def test_behaviours_are_validated() -> None:
    assert (
        simulator.answer("b1", "k2", "s", "w1.5", "t", "tspeech_ko", "h")
        == "answer/b1/k2/s/w1.5/t/tspeech_ko/h"
    )
    assert simulator.validate("busy") == "busy"
    # several keys in a row: a number ended by #
    assert simulator.answer("k12#", "b3#") == "answer/k12#/b3#"
    with pytest.raises(SandboxError, match=r"step 1 'k' is not k<keys>"):
        simulator.answer("k")
    with pytest.raises(SandboxError, match=r"step 1 'k1a' is not"):
        simulator.answer("k1a")
    with pytest.raises(SandboxError, match=r"step 2 'x9' is not"):
        simulator.answer("b1", "x9")
    with pytest.raises(SandboxError, match="mode 'ring' is not one of"):
        simulator.validate("ring")
    with pytest.raises(SandboxError, match="only 'answer' takes steps"):
        simulator.validate("busy/k1")


def test_sandbox_config_has_both_transports_on_loopback() -> None:
    dirs = AsteriskDirs("/e", "/l", "/g", "/r", "/c", "/s")
    files = render(AsteriskConfig(dirs=dirs, ari_user="u", ari_password="p"))
    assert "bind = 127.0.0.1:5060" in files["pjsip.conf"]
    assert "bind = 127.0.0.1:5070" in files["pjsip.conf"]
    assert "bindaddr = 127.0.0.1" in files["http.conf"]
    assert "[sim-applicant]" in files["extensions.conf"]
    assert "astspooldir => /s" in files["asterisk.conf"]
    assert "load = app_waitforsilence.so" in files["modules.conf"]
