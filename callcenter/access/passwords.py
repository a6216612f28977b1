"""Password hashing with Argon2id (argon2-cffi), and the rule a new password must meet."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from callcenter.kernel.errors import AccountError

MIN_LENGTH = 10


@cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults follow RFC 9106's second recommended option (64 MiB, t=3).
    return PasswordHasher()


def check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise AccountError(f"password too short: {len(password)} characters, need {MIN_LENGTH}")
    if password.strip() != password:
        raise AccountError("password starts or ends with white space")


def hash_password(password: str) -> str:
    check_new_password(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that a login for an
    unknown name takes as long as one with a wrong password."""
    return _hasher().hash("no such user: timing only")
