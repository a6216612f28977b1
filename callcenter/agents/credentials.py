"""The digest PJSIP checks agents against, made from a password that is then forgotten.

SIP digest authentication needs ``H(user:realm:password)`` on the server; PJSIP takes it
as ``password_digest = MD5:<hex>`` (Asterisk 22.2+). It is all anyone needs to register
as the agent, so it is kept like a password: never logged, never shown.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from callcenter.kernel.errors import AgentError

MIN_LENGTH = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def digest(login: str, realm: str, password: str) -> str:
    """``MD5:<hex of md5(login:realm:password)>``, as PJSIP's password_digest wants it."""
    ha1 = hashlib.md5(f"{login}:{realm}:{password}".encode(), usedforsecurity=False)
    return f"MD5:{ha1.hexdigest()}"


def matches(stored: str, login: str, realm: str, password: str) -> bool:
    return hmac.compare_digest(stored.encode(), digest(login, realm, password).encode())


def generate_password(length: int = 16) -> str:
    """A password a person can type into a softphone: no look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def check_password(login: str, password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise AgentError(
            f"the SIP password of agent {login!r} is {len(password)} characters; "
            f"{MIN_LENGTH} at least"
        )
    if any(c in password for c in "\"';\r\n "):
        raise AgentError(
            f"the SIP password of agent {login!r} has a quote, semicolon, space or line break, "
            "which softphone account strings cannot carry"
        )
    return password
