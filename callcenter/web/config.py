"""Settings of the web pages, nested under ``web`` in the application's settings
(``CALLCENTER_WEB__…``)."""

from __future__ import annotations

from pydantic import BaseModel


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Set when the pages are served over HTTPS (directly or behind a proxy).
    secure_cookies: bool = False
    page_size: int = 50
    # Failed logins (callcenter.access.throttle): an account name waits after
    # login_max_failures, a client address after login_address_max_failures; each
    # further failure doubles the wait from login_first_wait_seconds up to the cap. A
    # name or address with no failure for login_window_minutes after its wait is
    # forgotten. An account's wait never holds back an address that has not failed.
    login_max_failures: int = 5
    login_address_max_failures: int = 20
    login_first_wait_seconds: int = 30
    login_account_max_wait_minutes: int = 15
    login_address_max_wait_minutes: int = 60
    login_window_minutes: int = 15
    # One 收听录音 entry per user and recording for each such spell of listening,
    # whatever byte ranges the player asks for within it.
    recording_log_minutes: int = 30
    # How long the page a 显示完整号码 redirects to may show the number.
    reveal_seconds: int = 60
