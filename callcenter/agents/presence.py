"""Whether an agent's phone can take a call, as Asterisk sees it.

``GET /endpoints/PJSIP`` gives every PJSIP endpoint's state (``online`` once a phone is
registered and, where qualified, answers) and the channels it has up: an agent with a
channel is on the phone, whoever placed that call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callcenter.telephony.ari.client import AriClient


@dataclass(frozen=True)
class PhoneState:
    login: str
    registered: bool
    channels: int

    @property
    def free(self) -> bool:
        return self.registered and self.channels == 0

    @property
    def label(self) -> str:
        if not self.registered:
            return "未登录"
        return "通话中" if self.channels else "空闲"


OFFLINE = "offline"


class Presence:
    def __init__(self, ari: AriClient) -> None:
        self.ari = ari

    async def phones(self) -> dict[str, PhoneState]:
        """Every PJSIP endpoint's state, by endpoint name."""
        endpoints: list[dict[str, Any]] = await self.ari.request("GET", "/endpoints/PJSIP")
        return {e["resource"]: _state(e) for e in endpoints}

    async def phone(self, login: str) -> PhoneState:
        return (await self.phones()).get(login, PhoneState(login, False, 0))


def _state(endpoint: dict[str, Any]) -> PhoneState:
    state = str(endpoint.get("state", OFFLINE))
    return PhoneState(
        login=str(endpoint["resource"]),
        registered=state == "online",
        channels=len(endpoint.get("channel_ids") or ()),
    )
