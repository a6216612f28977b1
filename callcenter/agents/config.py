"""Settings of the agents' phones and of takeovers (``CALLCENTER_AGENTS__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AgentSettings(BaseModel):
    # SIP digest realm of the agents' credentials; the stored digest depends on it
    realm: str = "callcenter"
    transport: str = "transport-udp"
    context: str = Field(default="agents", description="dialplan context of calls an agent places")
    codecs: str = "ulaw,alaw"
    # seconds between OPTIONS pings to each registered phone, and how long one may take:
    # a phone that vanished without unregistering is taken out of the ringing within
    # about the sum (its registration alone would last an hour); 0 turns them off
    qualify_frequency: int = Field(default=5, ge=0)
    qualify_timeout: float = Field(default=2.0, gt=0)
    ring_timeout: int = Field(
        default=15, ge=3, le=120, description="seconds one agent's phone rings"
    )
    max_agents: int = Field(default=3, ge=1, le=20, description="agents rung, one after another")
    # a phone that neither rings nor answers this long after it is called is gone (it
    # crashed or lost its network before Asterisk noticed): the next agent is rung, and
    # its agent is not taken as having let the call ring out
    reach_timeout: float = Field(default=3.0, gt=0, le=30)
    # an agent who lets a takeover ring out is made not ready, so the next is not held up
    pause_on_no_answer: bool = True
    # Redis carrying live updates from the processes that place calls to the web pages;
    # None keeps them inside one process
    events_url: str | None = "redis://127.0.0.1:6379/0"
    events_channel: str = "callcenter:agents"
    # ARI application of the web process, for a supervisor's listen-in call
    listen_app: str = "callcenter-listen"
