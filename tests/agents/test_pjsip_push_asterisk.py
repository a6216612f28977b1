"""Agents pushed to the running sandbox Asterisk over ARI: created, changed, removed,
without a restart, and only the digest ever leaves the ledger."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from callcenter import bootstrap
from callcenter.agents.admin import AgentAdmin
from callcenter.agents.pjsip import PjsipPush
from callcenter.agents.roster import AgentRoster
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox.process import STATE, Sandbox
from callcenter.telephony.sandbox.softphone import Softphone
from tests.agents.phones import unique_login, wait_registered
from tests.sandbox_fixtures import e2e_settings

pytestmark = pytest.mark.asterisk


async def test_add_change_password_and_disable_an_agent(sandbox: Settings, tmp_path: Path) -> None:
    settings = e2e_settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}")
    login = unique_login("p")
    with bootstrap.open_sessions(settings) as sessions:
        async with AriClient(settings.ari) as ari:
            admin = AgentAdmin(AgentRoster(sessions), ari, settings.agents)
            push = PjsipPush(ari, settings.agents)
            started = (await ari.asterisk_info())["status"]["startup_time"]
            added = await admin.add(login, "王芳")
            assert added.not_pushed is None
            auth = await push.fetch("auth", login)
            assert auth is not None
            assert auth["password_digest"] == added.agent.password_digest
            assert auth["password"] == ""  # the password itself never reached Asterisk
            endpoint = await push.fetch("endpoint", login)
            assert endpoint is not None and endpoint["context"] == "agents"

            # a softphone registers with the credentials; a new password locks it out
            async with Softphone(login, added.password, tmp_path / "old", auto_answer=True):
                await wait_registered(ari, login)
            renewed = await admin.set_password(login)
            assert renewed.password != added.password
            async with Softphone(login, added.password, tmp_path / "stale", auto_answer=True):
                with pytest.raises(TimeoutError):
                    await wait_registered(ari, login, timeout=3)
            async with Softphone(login, renewed.password, tmp_path / "new", auto_answer=True):
                await wait_registered(ari, login)

            await admin.disable(login)
            assert await push.fetch("endpoint", login) is None
            assert await push.fetch("auth", login) is None
            # all of it without restarting Asterisk
            assert (await ari.asterisk_info())["status"]["startup_time"] == started


async def test_looking_agents_up_logs_no_warning(sandbox: Settings, tmp_path: Path) -> None:
    """Asterisk reads an agent's endpoint on every registration, qualify and call; none of
    those reads may log (the AstDB store used to log a stir_shaken warning on each)."""
    settings = e2e_settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}")
    login = unique_login("w")
    log = Sandbox(sandbox).host(f"{STATE}/log/messages.log")
    before = log.stat().st_size
    with bootstrap.open_sessions(settings) as sessions:
        async with AriClient(settings.ari) as ari:
            admin = AgentAdmin(AgentRoster(sessions), ari, settings.agents)
            added = await admin.add(login, "王芳")
            push = PjsipPush(ari, settings.agents)
            async with Softphone(login, added.password, tmp_path / "phone", auto_answer=True):
                await wait_registered(ari, login)
                for _ in range(5):
                    assert await push.fetch("endpoint", login) is not None
                # a controller starting pushes every agent again: unchanged, left alone
                assert await admin.sync() == 1
                # a qualify or two of the registered phone (every 5 s)
                await asyncio.sleep(settings.agents.qualify_frequency + 1)
            await admin.disable(login)
    with log.open("rb") as f:
        f.seek(before)
        written = f.read().decode(errors="replace")
    about_it = [line for line in written.splitlines() if login in line]
    assert about_it == []
