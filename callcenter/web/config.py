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
    # Failed logins for one user name within the window before further tries are refused.
    login_max_failures: int = 5
    login_window_minutes: int = 15
