"""Typed keys for what the application and each request carry."""

from __future__ import annotations

from aiohttp import web
from jinja2 import Environment

from callcenter.access.accounts import Accounts, SessionView
from callcenter.access.log import AccessLog
from callcenter.calls.integrity import RecordingVerifier
from callcenter.calls.store import Ledger
from callcenter.ledger.search import LedgerSearch
from callcenter.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
TEMPLATES = web.AppKey("templates", Environment)
LEDGER = web.AppKey("ledger", Ledger)
SEARCH = web.AppKey("search", LedgerSearch)
ACCOUNTS = web.AppKey("accounts", Accounts)
ACCESS_LOG = web.AppKey("access_log", AccessLog)
VERIFIER = web.AppKey("verifier", RecordingVerifier)

# The logged-in session, or None for an anonymous request.
CURRENT: web.RequestKey[SessionView | None] = web.RequestKey("current")
# The token for the login form's CSRF cookie when this response must set it.
NEW_CSRF_COOKIE = web.RequestKey("new_csrf_cookie", str)

SESSION_COOKIE = "cc_session"
# Double-submit token for the login form, the one form posted before a session exists.
CSRF_COOKIE = "cc_csrf"
CSRF_FIELD = "csrf_token"
