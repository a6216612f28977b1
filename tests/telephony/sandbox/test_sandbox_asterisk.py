from __future__ import annotations

import pytest

from callcenter.settings import Settings
from callcenter.telephony.sandbox.process import Sandbox

pytestmark = pytest.mark.asterisk


def test_up_is_idempotent_and_status_says_what_runs_where(sandbox: Settings) -> None:
    box = Sandbox(sandbox)
    before = box.status()
    assert before.running and before.ari_ok
    again = box.up()  # same config: nothing restarts
    assert again.pid == before.pid
    text = again.describe()
    assert "Asterisk 22." in text
    assert "http://127.0.0.1:8088 (answers)" in text
    assert "udp 127.0.0.1:5070 (simulated applicants)" in text
