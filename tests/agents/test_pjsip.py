"""The agents' PJSIP objects as pushed, and as Asterisk reports them back."""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.agents import credentials
from callcenter.agents.config import AgentSettings
from callcenter.agents.pjsip import _holds, objects
from callcenter.agents.roster import AgentView

AGENT = AgentView(
    "agent1001",
    "李娜",
    "agent",
    "callcenter",
    True,
    True,
    datetime(2026, 10, 9, tzinfo=UTC),
    None,
    credentials.digest("agent1001", "callcenter", "Secret-12345"),
)
# GET /asterisk/config/dynamic/res_pjsip/endpoint/agent1001 of Asterisk 22, in part
REPORTED = {
    "transport": "transport-udp",
    "context": "agents",
    "allow": "(ulaw|alaw)",
    "auth": "agent1001",
    "aors": "agent1001",
    "direct_media": "false",
    "dtmf_mode": "rfc4733",
    "rtp_timeout": "60",
    "stir_shaken": "no",
}


def fields(kind: str, settings: AgentSettings) -> dict[str, str]:
    return dict(objects(AGENT, settings))[kind]


def test_a_phone_is_asked_often_and_briefly_whether_it_is_still_there() -> None:
    aor = fields("aor", AgentSettings())
    assert (aor["qualify_frequency"], aor["qualify_timeout"]) == ("5", "2")
    assert aor["max_contacts"] == "1" and aor["remove_existing"] == "yes"


def test_an_endpoint_asterisk_already_holds_is_recognised_as_it_reports_it() -> None:
    wanted = fields("endpoint", AgentSettings())
    assert _holds(REPORTED, wanted)
    assert not _holds(None, wanted)
    assert not _holds({**REPORTED, "allow": "(ulaw)"}, wanted)
    assert not _holds({**REPORTED, "context": "other"}, wanted)
    assert not _holds(REPORTED, fields("endpoint", AgentSettings(codecs="alaw")))
    assert "stir_shaken" not in wanted
