"""Where a login sends the browser: only to a page of this site, read as the browser
reads the address (WHATWG URL rules), whatever the ``next`` link holds."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from aiohttp.test_utils import TestClient

from tests.web.fixtures import USERS, csrf_token, login

SITE = "http://callcenter.test/login"

# Each is turned by a browser (tab/newline removed, C0 and space trimmed, "\" read as "/")
# into an address on another host, or is one already.
HOSTILE = [
    "//evil.example/",
    "http://evil.example/",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x1f/\\evil.example",
    "//evil.example\x00",
    "/\\\t\\evil.example",
    "javascript:alert(1)",
]


def _lands_on_this_site(location: str) -> bool:
    # The browser resolves Location against the page it asked for.
    return urljoin(SITE, location).startswith("http://callcenter.test/")


@pytest.mark.parametrize("target", HOSTILE)
async def test_logged_in_user_is_not_sent_away(client: TestClient, target: str) -> None:
    await login(client, "auditor")
    response = await client.get("/login", params={"next": target}, allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert location == "/", (target, location)


@pytest.mark.parametrize("target", HOSTILE)
async def test_login_form_does_not_send_away(client: TestClient, target: str) -> None:
    name, password = USERS["auditor"]
    page = await client.get("/login", params={"next": target})
    assert page.status == 200
    response = await client.post(
        "/login",
        data={
            "csrf_token": csrf_token(await page.text()),
            "username": name,
            "password": password,
            "next": target,
        },
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/", (target, response.headers["Location"])


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/?month=2026-11", "/?month=2026-11"),
        ("/calls/1764124800.101", "/calls/1764124800.101"),
        # what the browser would strip or encode anyway, so the address is the same page
        (" /access-log?page=2 ", "/access-log?page=2"),
        ("/access-log\t?page=2", "/access-log?page=2"),
        ("/?q=排队", "/?q=%E6%8E%92%E9%98%9F"),
        ("/a b", "/a%20b"),
    ],
)
async def test_a_page_of_this_site_is_kept(client: TestClient, target: str, expected: str) -> None:
    await login(client, "auditor")
    response = await client.get("/login", params={"next": target}, allow_redirects=False)
    assert response.headers["Location"] == expected
    assert _lands_on_this_site(expected)
