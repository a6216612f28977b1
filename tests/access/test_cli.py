"""``callcenter user ...``: accounts for the web pages from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.access.accounts import Accounts
from callcenter.access.log import AccessLog
from callcenter.access.passwords import verify_password
from callcenter.entrypoints.cli import app
from callcenter.kernel.database import make_engine, session_factory
from callcenter.kernel.errors import AccountError


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", url)
    monkeypatch.setenv("CALLCENTER_STORAGE_ROOT", str(tmp_path / "storage"))
    return url


def _run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_add_list_password_disable(db: str) -> None:
    added = _run(
        "user", "add", "ducha1", "--role", "auditor", "--password-stdin", stdin="pw-long-enough-1\n"
    )
    assert added.exit_code == 0, added.output
    assert "ducha1 added with role auditor" in added.output
    listed = _run("user", "list")
    assert "ducha1" in listed.output and "督查员" in listed.output and "正常" in listed.output

    engine = make_engine(db)
    try:
        accounts = Accounts(session_factory(engine))
        creds = accounts.credentials("ducha1")
        assert creds is not None and verify_password(creds.password_hash, "pw-long-enough-1")
        assert creds.password_hash.startswith("$argon2id$")

        assert (
            _run(
                "user", "password", "ducha1", "--password-stdin", stdin="another-pw-22\n"
            ).exit_code
            == 0
        )
        creds = accounts.credentials("ducha1")
        assert creds is not None and verify_password(creds.password_hash, "another-pw-22")

        assert _run("user", "disable", "ducha1").exit_code == 0
        assert "已停用" in _run("user", "list").output
        actions = [
            (e.action, e.detail) for e in AccessLog(session_factory(engine)).entries().entries
        ]
        assert actions == [
            ("user_disabled", "ducha1"),
            ("password_changed", "ducha1"),
            ("user_added", "ducha1（auditor）"),
        ]
    finally:
        engine.dispose()


def test_prompted_password_must_be_confirmed(db: str) -> None:
    result = _run(
        "user", "add", "admin1", "--role", "admin", stdin="pw-long-enough-1\npw-long-enough-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "pw-long-enough-1" not in result.output


def test_bad_role_and_short_password(db: str) -> None:
    with pytest.raises(AccountError, match="role 'root'"):
        _run("user", "add", "x1", "--role", "root", "--password-stdin", stdin="pw-long-enough-1\n")
    with pytest.raises(AccountError, match="too short: 5 characters"):
        _run("user", "add", "x1", "--role", "agent", "--password-stdin", stdin="short\n")
