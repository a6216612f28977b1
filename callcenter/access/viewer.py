"""The page shell's view of who is asking (``callcenter.web.keys.Viewer``), from the
request's session."""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.access.accounts import SessionView, UserView
from callcenter.access.permissions import Permission, allowed


@dataclass(frozen=True)
class SessionViewer:
    session: SessionView | None
    # the session's token; before login, the login form's double-submit token
    csrf_token: str = field(repr=False)

    @property
    def user(self) -> UserView | None:
        return self.session.user if self.session is not None else None

    def can(self, permission: str) -> bool:
        """Whether the user's role has ``permission``; an unknown name is a template's
        mistake and raises, rather than quietly hiding a link."""
        return self.session is not None and allowed(self.session.user.role, Permission(permission))
