"""Agents' SIP credentials and the PJSIP objects pushed for them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.agents import credentials
from callcenter.agents._legs import offer_result
from callcenter.agents.config import AgentSettings
from callcenter.agents.pjsip import objects
from callcenter.agents.roster import AgentView
from callcenter.kernel.errors import AgentError


def test_digest_is_what_pjsip_expects() -> None:
    # the example of Asterisk's password_digest documentation
    assert credentials.digest("myname", "myrealm", "mypassword") == (
        "MD5:dce9ccd0a69e3ef90d8b9bf725053e78"
    )
    stored = credentials.digest("agent1001", "callcenter", "s3cret-pass")
    assert credentials.matches(stored, "agent1001", "callcenter", "s3cret-pass")
    assert not credentials.matches(stored, "agent1001", "callcenter", "wrong-pass")


def test_generated_passwords_are_long_and_typeable() -> None:
    passwords = {credentials.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 16 and p.isalnum() and "l" not in p and "0" not in p for p in passwords)


@pytest.mark.parametrize(
    ("password", "problem"), [("short", "10 at least"), ("has space in it", "space")]
)
def test_bad_passwords_are_named(password: str, problem: str) -> None:
    with pytest.raises(AgentError, match=problem):
        credentials.check_password("agent1001", password)


def test_pjsip_objects_of_an_agent() -> None:
    agent = AgentView(
        "agent1001",
        "李娜",
        "agent",
        "callcenter",
        True,
        False,
        datetime.now(UTC),
        None,
        password_digest="MD5:abc",
    )
    made = dict(objects(agent, AgentSettings()))
    assert list(made) == ["auth", "aor", "endpoint"]  # the order they must be created in
    assert made["auth"]["password_digest"] == "MD5:abc"
    assert "password" not in made["auth"]  # never the password itself
    assert made["aor"]["max_contacts"] == "1"
    assert (made["endpoint"]["auth"], made["endpoint"]["aors"]) == ("agent1001", "agent1001")
    assert made["endpoint"]["context"] == "agents"
    assert made["endpoint"]["direct_media"] == "no"


@pytest.mark.parametrize(
    ("cause", "result"),
    [
        (19, "no_answer"),
        (18, "no_answer"),
        (21, "rejected"),
        (17, "busy"),
        (34, "failed"),
        (None, "failed"),
    ],
)
def test_why_an_agent_did_not_take_the_call(cause: int | None, result: str) -> None:
    assert offer_result(cause) == result
