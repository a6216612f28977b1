"""Users and web sessions: unique names, known roles, expiry, disabling ends sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update

from callcenter.access.accounts import Accounts
from callcenter.access.tables import WebSession
from callcenter.kernel.database import session_factory
from callcenter.kernel.errors import AccountError
from callcenter.kernel.orm import utcnow


@pytest.fixture
def accounts(ledger_engine: Engine) -> Accounts:
    return Accounts(
        session_factory(ledger_engine), idle=timedelta(minutes=30), lifetime=timedelta(hours=12)
    )


def test_add_list_and_find(accounts: Accounts) -> None:
    accounts.add_user("ducha1", "auditor", "hash-1")
    accounts.add_user("admin1", "admin", "hash-2")
    assert [(u.username, u.role, u.disabled) for u in accounts.users()] == [
        ("admin1", "admin", False),
        ("ducha1", "auditor", False),
    ]
    creds = accounts.credentials("ducha1")
    assert creds is not None and creds.password_hash == "hash-1"
    assert "hash-1" not in repr(creds)
    assert accounts.credentials("nobody") is None


def test_duplicate_name_bad_role_and_bad_name(accounts: Accounts) -> None:
    accounts.add_user("ducha1", "auditor", "h")
    with pytest.raises(AccountError, match="'ducha1' already exists"):
        accounts.add_user("ducha1", "agent", "h")
    with pytest.raises(AccountError, match="role 'root'"):
        accounts.add_user("x1", "root", "h")
    with pytest.raises(AccountError, match="username 'a b'"):
        accounts.add_user("a b", "agent", "h")


def test_session_lives_while_used_and_ends_on_close(accounts: Accounts) -> None:
    user = accounts.add_user("ducha1", "auditor", "h")
    opened = accounts.open_session(user.id, "tokenhash1", "csrf1")
    found = accounts.session("tokenhash1")
    assert found is not None
    assert (found.user.username, found.csrf_token) == ("ducha1", "csrf1")
    assert found.expires_at >= opened.expires_at
    accounts.close_session("tokenhash1")
    assert accounts.session("tokenhash1") is None


def test_expired_session_is_gone(accounts: Accounts, ledger_engine: Engine) -> None:
    user = accounts.add_user("ducha1", "auditor", "h")
    accounts.open_session(user.id, "old", "csrf")
    with session_factory(ledger_engine).begin() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert accounts.session("old") is None


def test_lifetime_caps_an_active_session(ledger_engine: Engine) -> None:
    accounts = Accounts(
        session_factory(ledger_engine), idle=timedelta(hours=1), lifetime=timedelta(hours=2)
    )
    user = accounts.add_user("ducha1", "auditor", "h")
    accounts.open_session(user.id, "t", "csrf")
    with session_factory(ledger_engine).begin() as s:
        s.execute(update(WebSession).values(created_at=utcnow() - timedelta(hours=1, minutes=30)))
    live = accounts.session("t")
    assert live is not None
    # Used just now, yet it ends two hours after login, not an hour from now.
    assert live.expires_at <= utcnow() + timedelta(minutes=31)


def test_disabling_ends_sessions_and_keeps_the_user(accounts: Accounts) -> None:
    user = accounts.add_user("ducha1", "auditor", "h")
    accounts.open_session(user.id, "t", "csrf")
    accounts.disable_user("ducha1")
    assert accounts.session("t") is None
    assert [u.disabled for u in accounts.users()] == [True]
    with pytest.raises(AccountError, match="unknown or disabled"):
        accounts.open_session(user.id, "t2", "csrf")


def test_set_password_and_purge(accounts: Accounts, ledger_engine: Engine) -> None:
    user = accounts.add_user("ducha1", "auditor", "h")
    accounts.set_password("ducha1", "h2")
    creds = accounts.credentials("ducha1")
    assert creds is not None and creds.password_hash == "h2"
    with pytest.raises(AccountError, match="no user 'ghost'"):
        accounts.set_password("ghost", "h")
    accounts.open_session(user.id, "a", "c")
    accounts.open_session(user.id, "b", "c")
    with session_factory(ledger_engine).begin() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.id == "a")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert accounts.purge_expired() == 1
    assert accounts.session("b") is not None
