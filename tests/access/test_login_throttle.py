"""Guessing passwords through the login form: limited per account and per client
address, counted by the database before the password is checked, with growing delays
that never lock the real user out for long."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from callcenter.access.log import AccessLog
from callcenter.kernel.clock import FixedClock
from tests.web.fixtures import REMOTE_HEADER, USERS, csrf_token

STRANGER = "203.0.113.7"
OFFICE = "198.51.100.20"


async def _token(client: TestClient) -> str:
    page = await client.get("/login")
    assert page.status == 200
    return csrf_token(await page.text())


async def _try(
    client: TestClient, username: str, password: str, *, remote: str, token: str | None = None
) -> ClientResponse:
    return await client.post(
        "/login",
        data={
            "csrf_token": token or await _token(client),
            "username": username,
            "password": password,
            "next": "/",
        },
        headers={REMOTE_HEADER: remote},
        allow_redirects=False,
    )


async def test_concurrent_guesses_are_counted_before_they_are_checked(
    clocked_client: TestClient, access_log: AccessLog
) -> None:
    name, _ = USERS["auditor"]
    token = await _token(clocked_client)
    responses = await asyncio.gather(
        *(
            _try(clocked_client, name, f"wrong-password-{i}", remote=STRANGER, token=token)
            for i in range(20)
        )
    )
    statuses = sorted(r.status for r in responses)
    # Five tries are allowed before the account waits; the database decides which five.
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 15, statuses
    failed = access_log.entries(action="login_failed", limit=100).entries
    assert len(failed) == 20
    assert sorted(e.detail for e in failed).count("密码错误") == 5


async def test_one_address_is_limited_whatever_names_it_tries(
    clocked_client: TestClient,
) -> None:
    for i in range(20):
        response = await _try(clocked_client, f"guess{i}", "wrong-password", remote=STRANGER)
        assert response.status == 401, i
    refused = await _try(clocked_client, "guess-more", "wrong-password", remote=STRANGER)
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in await refused.text()
    # Another address is not affected.
    assert (await _try(clocked_client, *USERS["agent"], remote=OFFICE)).status == 303


async def test_a_stranger_cannot_lock_the_user_out(
    clocked_client: TestClient, web_clock: FixedClock, access_log: AccessLog
) -> None:
    name, password = USERS["auditor"]
    tries = 0
    for _ in range(240):  # every 30 seconds for two hours
        response = await _try(clocked_client, name, "wrong-password", remote=STRANGER)
        assert response.status in (401, 429)
        tries += 1
        web_clock.advance(30)
    # The user, from an address that has not failed, logs in at once.
    assert (await _try(clocked_client, name, password, remote=OFFICE)).status == 303
    assert access_log.entries(action="login_failed").total == tries


async def test_refused_tries_do_not_extend_the_wait(
    clocked_client: TestClient, web_clock: FixedClock
) -> None:
    name, password = USERS["auditor"]
    for i in range(5):  # from five addresses, so that no address is held back
        response = await _try(clocked_client, name, "wrong-password", remote=f"192.0.2.{i + 1}")
        assert response.status == 401
    refused = await _try(clocked_client, name, "wrong-password", remote="192.0.2.1")
    assert refused.status == 429
    wait = int(refused.headers["Retry-After"])
    blocked_at = web_clock.now()
    for second in range(5, wait, 5):  # the stranger keeps knocking while the account waits
        web_clock.set(blocked_at + timedelta(seconds=second))
        knock = await _try(clocked_client, name, "wrong-password", remote="192.0.2.2")
        assert knock.status == 429
    web_clock.set(blocked_at + timedelta(seconds=wait + 1))
    # The wait set by the fifth failure is over: the next try is checked.
    assert (await _try(clocked_client, name, password, remote="192.0.2.3")).status == 303


async def test_the_wait_grows_and_is_capped(
    clocked_client: TestClient, web_clock: FixedClock
) -> None:
    name, _ = USERS["auditor"]
    waits = []
    for round_no in range(12):
        remote = f"192.0.2.{round_no + 10}"  # a fresh address each round: the account decides
        for _ in range(5 if round_no == 0 else 1):
            response = await _try(clocked_client, name, "wrong-password", remote=remote)
            assert response.status == 401, round_no
        refused = await _try(clocked_client, name, "wrong-password", remote=remote)
        assert refused.status == 429
        waits.append(int(refused.headers["Retry-After"]))
        web_clock.advance(waits[-1] + 1)
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == waits[-1] == 15 * 60
