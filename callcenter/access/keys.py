"""Typed keys of the access feature: its stores in the application, the session on each
request, and the names of its cookies and form field."""

from __future__ import annotations

from aiohttp import web

from callcenter.access.accounts import Accounts, SessionView
from callcenter.access.log import AccessLog
from callcenter.access.throttle import LoginThrottle

ACCOUNTS = web.AppKey("accounts", Accounts)
ACCESS_LOG = web.AppKey("access_log", AccessLog)
THROTTLE = web.AppKey("login_throttle", LoginThrottle)

# The logged-in session, or None for an anonymous request.
CURRENT: web.RequestKey[SessionView | None] = web.RequestKey("current")
# The token for the login form's CSRF cookie when this response must set it.
NEW_CSRF_COOKIE = web.RequestKey("new_csrf_cookie", str)

SESSION_COOKIE = "cc_session"
# Double-submit token for the login form, the one form posted before a session exists.
CSRF_COOKIE = "cc_csrf"
CSRF_FIELD = "csrf_token"
