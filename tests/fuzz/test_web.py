"""Generated requests to the web pages over the seeded 台账 of tests/web/fixtures.py: the
search's filters, a call's address, recordings with any Range, the export form, the
access log's filters, the reveal, ``next``, and requests no page makes, from every role
and from nobody logged in; then the login form itself.

A crash is a 5xx; an error that is not an HTML page; or a page that shows what its
viewer may not see: anything of the 台账 without login, a full phone number to anyone
but an administrator who has just asked for it (or to that one twice), a recording, a
workbook or the access log to a role without the permission. A ``next`` that leads off
the site counts too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from callcenter.access import passwords
from callcenter.access.accounts import Accounts
from callcenter.access.permissions import Permission, allowed
from callcenter.entrypoints.web import create_app
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.settings import Settings
from tests.fuzz._web_site import ANONYMOUS, Answer, Site
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally
from tests.web.fixtures import REMOTE_HEADER, USERS, csrf_token, pretend_remote
from tests.web.seed import BUREAU, PHONE_1, PHONE_2, PHONE_3, STATION, WINDOW, Seeded

pytestmark = pytest.mark.fuzz

ROLES = [ANONYMOUS, "agent", "auditor", "supervisor", "admin"]
PHONES = (PHONE_1, PHONE_2, PHONE_3)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC = ("/login", "/healthz", "/static/")

WEIRD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t",
    "\n",
    "\r\n",
    "\u3000",
    "\ufffd",
    "%",
    "%00",
    "_",
    "\\",
    "'",
    '"',
    "<script>alert(1)</script>",
    "0000-01",
    "9999-12",
    "2026-13",
    "2026-00",
    "2026-1",
    "-1",
    "0",
    "1",
    "9" * 30,
    str(2**31),
    str(2**63),
    "1e9",
    "NaN",
    "..",
    "../..",
    "//evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    PHONE_1,
    "138****5678",
]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def values(*valid: str) -> st.SearchStrategy[str]:
    weird = st.sampled_from(WEIRD) | text
    return st.sampled_from(valid) | weird if valid else weird


RANGES = st.sampled_from(
    [
        "bytes=0-",
        "bytes=0-99",
        "bytes=1000-1999",
        "bytes=1-",
        "bytes=-100",
        "bytes=-0",
        "bytes=999999999-",
        "bytes=5-1",
        "bytes=abc",
        "bytes=0-0,5-10",
        "items=0-1",
        "bytes=",
        "bytes=-",
        f"bytes={2**64}-",
    ]
) | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)


@st.composite
def requests(draw: st.DrawFn, seeded: Seeded) -> dict[str, Any]:
    """One request as keyword arguments of ``Site.send`` (with ``role`` and ``kind``)."""
    calls = (seeded.complete, seeded.unanswered, seeded.satisfied)
    recordings = (seeded.call_recording_id, seeded.reason_recording_id)
    kind = draw(
        st.sampled_from(
            ["search", "call", "recording", "export", "log", "reveal", "next", "raw", "junk"]
        )
    )
    out: dict[str, Any] = {"kind": kind, "method": "GET", "role": draw(st.sampled_from(ROLES))}
    if kind == "search":
        fields = {
            "month": values("2026-11", "2026-10", "2026-12"),
            "unit": values(BUREAU, STATION, WINDOW),
            "outcome": values("answered_complete", "no_answer", "pending"),
            "score": values("1", "3", "3+", "5"),
            "q": values("排队", "周末", "%", "_"),
            "case": values("YM-2026", "商贸", "张三"),
            "page": values("1", "2", "100000", "100001"),
        }
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=7))
        out |= {"path": "/", "params": {f: draw(fields[f]) for f in chosen}}
    elif kind == "call":
        attempt = draw(st.sampled_from(calls) | values())
        out["path"] = "/calls/" + quote(attempt, safe="")
        out["encoded"] = True
    elif kind == "recording":
        rid = draw(st.sampled_from([str(r) for r in recordings]) | values())
        out |= {
            "path": "/recordings/" + quote(rid, safe=""),
            "encoded": True,
            "method": draw(st.sampled_from(["GET", "GET", "HEAD"])),
        }
        if draw(st.booleans()):
            out["headers"] = {"Range": draw(RANGES)}
    elif kind == "export":
        out |= {
            "method": "POST",
            "path": "/export",
            "data": {"month": draw(values("2026-11", "2026-10")), "unit": draw(values(STATION))},
            "token": draw(st.sampled_from(["valid", "valid", "wrong", "none"])),
        }
    elif kind == "log":
        fields = {
            "user": values("ducha1", "admin1"),
            "action": values("login", "play_recording", "denied"),
            "attempt": values(*calls),
            "page": values("1", "2"),
        }
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=4))
        out |= {"path": "/access-log", "params": {f: draw(fields[f]) for f in chosen}}
    elif kind == "reveal":
        attempt = draw(st.sampled_from(calls) | values())
        out |= {
            "method": "POST",
            "path": f"/calls/{quote(attempt, safe='')}/reveal",
            "encoded": True,
            "data": {},
            "token": draw(st.sampled_from(["valid", "valid", "wrong", "none"])),
        }
    elif kind == "next":
        out |= {"path": "/login", "params": {"next": draw(values("/", "/?month=2026-11"))}}
    elif kind == "raw":  # bytes that are not UTF-8, percent-encoded as they are
        raw = draw(st.binary(max_size=12))
        field = draw(st.sampled_from(["q", "case", "month", "page", "unit"]))
        out |= {"path": f"/?{field}=" + "".join(f"%{b:02X}" for b in raw), "encoded": True}
    else:
        out |= {
            "method": draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])),
            "path": "/"
            + quote(draw(values("calls", "recordings/", "export", "static/..")), safe="/"),
            "encoded": True,
        }
    return out


@pytest.fixture
def site(
    web_settings: Settings, web_engine: Engine, users: dict[str, tuple[str, str]], seeded: Seeded
) -> Iterator[Site]:
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))  # sessions never run out
    running = Site(create_app(web_settings, engine=web_engine, clock=clock))
    try:
        for role in ROLES[1:]:
            running.login(role)
        page = running.send(ANONYMOUS, "GET", "/login")
        running.tokens[ANONYMOUS] = csrf_token(page.body.decode())
        yield running
    finally:
        running.close()


def test_pages(site: Site, seeded: Seeded) -> None:
    t = tally("web pages")
    granted: set[str] = set()  # calls an administrator's reveal lets the next page show
    echoed: set[str] = set()  # full numbers some request has sent

    @fuzz_settings
    @given(requests(seeded))
    def run(request: dict[str, Any]) -> None:
        role, kind, token = request.pop("role"), request.pop("kind"), request.pop("token", None)
        if token is not None:
            request["data"]["csrf_token"] = site.tokens[role] if token == "valid" else "forged"
            if token == "none":
                del request["data"]["csrf_token"]
        with t.one(()):
            answer = site.send(role, **request)
            if 400 <= answer.status < 500:
                t.refused += 1
            problem = _page_problem(role, kind, request, answer, granted, echoed)
            assert problem is None, f"{problem}: {role} {request} -> {answer.status}"

    run()


def _page_problem(
    role: str,
    kind: str,
    request: dict[str, Any],
    answer: Answer,
    granted: set[str],
    echoed: set[str],
) -> str | None:
    if answer.status >= 500:
        return "server error"
    if answer.status >= 400 and answer.status != 416 and answer.content_type != "text/html":
        return f"an error page as {answer.content_type!r}"
    path = request["path"]
    body = answer.body
    if role == ANONYMOUS and not path.startswith(PUBLIC):
        if answer.status < 300 and request["method"] != "OPTIONS":
            return "served without login"
        if b"YM-2026" in body or b"****" in body or body.startswith(b"RIFF"):
            return "the 台账 without login"
    if body.startswith(b"RIFF") and not _can(role, Permission.PLAY_RECORDINGS):
        return "a recording to a role that may not listen"
    if answer.content_type == XLSX and not _can(role, Permission.EXPORT):
        return "a workbook to a role that may not export"
    reads_log = path.startswith("/access-log") and answer.status == 200
    if reads_log and not _can(role, Permission.READ_ACCESS_LOG):
        return "the access log to a role that may not read it"
    if kind == "reveal" and answer.status == 303:
        granted.add(answer.headers["Location"])
    sent = repr(request)
    echoed.update(phone for phone in PHONES if phone in sent)
    for phone in PHONES:
        # the access log quotes what earlier requests sent (a path, a user name)
        quoted = path.startswith("/access-log") and phone in echoed
        if phone.encode() in body and phone not in sent and not quoted:
            shown_for = path if kind == "call" and role == "admin" else None
            if shown_for not in granted:
                return f"the full number {phone} shown to {role} unasked"
            granted.discard(shown_for)  # once
    location = answer.headers.get("Location")
    if location is not None and not urljoin("http://site.test/x", location).startswith(
        "http://site.test/"
    ):
        return f"sent off the site to {location!r}"
    return None


def _can(role: str, permission: Permission) -> bool:
    return role != ANONYMOUS and allowed(role, permission)


# -- the login form ------------------------------------------------------------------

_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def login_site(
    web_settings: Settings, web_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Site, FixedClock]]:
    # Argon2 at its lowest cost, so thousands of logins take seconds: the form's handling
    # of what it is sent is under test here, not the hash (tests/access has the real one).
    monkeypatch.setattr(passwords, "_hasher", lambda: _CHEAP)
    monkeypatch.setattr(passwords, "dummy_hash", lambda: _CHEAP.hash("no such user"))
    accounts = Accounts(session_factory(web_engine))
    for role, (name, password) in USERS.items():
        accounts.add_user(name, role, _CHEAP.hash(password))
    accounts.disable_user(USERS["agent"][0])
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(web_settings, engine=web_engine, clock=clock)
    app.middlewares.insert(0, pretend_remote)
    running = Site(app)
    try:
        yield running, clock
    finally:
        running.close()


@st.composite
def logins(draw: st.DrawFn) -> dict[str, Any]:
    role = draw(st.sampled_from(sorted(USERS)))
    name, password = USERS[role]
    if draw(st.booleans()):  # a user who knows the password (the agent is disabled)
        form = {"username": name, "password": password}
    else:
        form = {
            "username": draw(st.just(name) | values("admin1", "nobody")),
            "password": draw(st.just(password) | values("wrong-password")),
        }
    form["next"] = draw(values("/", "/?month=2026-11"))
    form = {k: v for k, v in form.items() if draw(st.integers(0, 9))}  # sometimes left out
    return {
        "form": form,
        "token": draw(st.sampled_from(["valid", "valid", "valid", "wrong", "none"])),
        "remote": draw(st.sampled_from(["192.0.2.1", "192.0.2.2", "2001:db8::1", "junk"])),
        "advance": draw(st.sampled_from([0, 0, 1, 30, 900, 7200])),
    }


def test_login(login_site: tuple[Site, FixedClock]) -> None:
    site, clock = login_site
    t = tally("web login")
    tokens = [csrf_token(site.send(ANONYMOUS, "GET", "/login").body.decode())]
    right = {(name, password) for role, (name, password) in USERS.items() if role != "agent"}

    @fuzz_settings
    @given(logins())
    def run(attempt: dict[str, Any]) -> None:
        clock.advance(attempt["advance"])
        data = dict(attempt["form"])
        if attempt["token"] != "none":
            data["csrf_token"] = tokens[-1] if attempt["token"] == "valid" else "forged"
        with t.one(()):
            answer = site.send(
                ANONYMOUS, "POST", "/login", data=data, headers={REMOTE_HEADER: attempt["remote"]}
            )
            if 400 <= answer.status < 500:
                t.refused += 1
            problem = _login_problem(
                answer, (data.get("username", "").strip(), data.get("password", "")) in right
            )
            assert problem is None, f"{problem}: {attempt} -> {answer.status}"
        if answer.status == 303:  # logged in: log out again, for the next example
            site.browser(ANONYMOUS).cookie_jar.clear()
            tokens.append(csrf_token(site.send(ANONYMOUS, "GET", "/login").body.decode()))

    run()


def _login_problem(answer: Answer, right: bool) -> str | None:
    if answer.status >= 500:
        return "server error"
    if answer.content_type != "text/html" and answer.status != 303:
        return f"a page as {answer.content_type!r}"
    if answer.status == 303:
        if not right:
            return "logged in without the right password"
        location = answer.headers["Location"]
        if not location.startswith("/") or location.startswith("//") or "\\" in location:
            return f"sent off the site to {location!r}"
    elif "cc_session" in answer.cookies:
        return "a session without logging in"
    if answer.status == 429 and int(answer.headers.get("Retry-After", "0")) < 1:
        return "refused without saying for how long"
    return None
