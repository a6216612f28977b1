"""EventRouter: per-call queues, ordering, aliasing, fallback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from callcenter.telephony.ari.router import EventRouter, event_ids


def drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def on(channel_id: str, kind: str = "ChannelDtmfReceived", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "channel": {"id": channel_id}, **extra}


async def test_events_go_to_their_call_in_order() -> None:
    router = EventRouter()
    a, b = router.register("a"), router.register("b")

    for n in range(5):
        await router.dispatch(on("a", n=n))
        await router.dispatch(on("b", n=n))

    assert [e["n"] for e in drain(a)] == list(range(5))
    assert [e["n"] for e in drain(b)] == list(range(5))


async def test_playback_recording_and_dial_events_find_the_channel() -> None:
    router = EventRouter()
    queue = router.register("c1")

    await router.dispatch({"type": "Dial", "peer": {"id": "c1"}, "dialstatus": "RINGING"})
    await router.dispatch(
        {"type": "PlaybackFinished", "playback": {"id": "pb", "target_uri": "channel:c1"}}
    )
    await router.dispatch(
        {"type": "RecordingFinished", "recording": {"name": "r", "target_uri": "channel:c1"}}
    )

    assert [e["type"] for e in drain(queue)] == ["Dial", "PlaybackFinished", "RecordingFinished"]


async def test_alias_routes_snoop_and_bridge_events_to_owner() -> None:
    router = EventRouter()
    queue = router.register("call")
    router.alias("snoop", "call")
    router.alias("bridge-1", "call")

    await router.dispatch(on("snoop", "StasisStart"))
    await router.dispatch(
        {"type": "RecordingStarted", "recording": {"target_uri": "channel:snoop"}}
    )
    await router.dispatch(
        {"type": "PlaybackStarted", "playback": {"target_uri": "bridge:bridge-1"}}
    )
    # An event naming the call twice (its channel and its bridge) is delivered once.
    await router.dispatch(on("call", "ChannelEnteredBridge", bridge={"id": "bridge-1"}))

    assert [e["type"] for e in drain(queue)] == [
        "StasisStart",
        "RecordingStarted",
        "PlaybackStarted",
        "ChannelEnteredBridge",
    ]


async def test_event_for_two_calls_reaches_both() -> None:
    router = EventRouter()
    a, b = router.register("a"), router.register("b")

    await router.dispatch({"type": "Dial", "caller": {"id": "a"}, "peer": {"id": "b"}})

    assert len(drain(a)) == len(drain(b)) == 1


async def test_unknown_channels_go_to_fallback_which_can_register() -> None:
    router: EventRouter
    queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
    unknown: list[str] = []

    async def fallback(event: dict[str, Any]) -> None:
        unknown.append(event["type"])
        if event["type"] == "StasisStart":
            channel_id = event["channel"]["id"]
            queues[channel_id] = router.register(channel_id)

    router = EventRouter(fallback)
    await router.dispatch(on("new", "StasisStart"))
    await router.dispatch(on("new", "ChannelStateChange"))
    await router.dispatch({"type": "ApplicationReplaced"})

    assert unknown == ["StasisStart", "ApplicationReplaced"]
    assert [e["type"] for e in drain(queues["new"])] == ["ChannelStateChange"]


async def test_unregister_drops_queue_and_aliases() -> None:
    seen: list[str] = []

    async def fallback(event: dict[str, Any]) -> None:
        seen.append(event["channel"]["id"])

    router = EventRouter(fallback)
    router.register("call")
    router.alias("snoop", "call")
    router.unregister("call")
    router.unregister("never-registered")

    await router.dispatch(on("call"))
    await router.dispatch(on("snoop"))

    assert seen == ["call", "snoop"]
    assert router.queue_for("snoop") is None


async def test_misuse_is_reported() -> None:
    router = EventRouter()
    router.register("a")
    with pytest.raises(ValueError, match="already registered"):
        router.register("a")
    with pytest.raises(KeyError, match="not registered"):
        router.alias("snoop", "b")


def test_event_ids_ignore_malformed_fields() -> None:
    assert event_ids({"type": "X", "channel": None, "playback": {"target_uri": "bogus"}}) == []
    assert event_ids({"type": "X", "recording": {"target_uri": "bridge:b1"}}) == ["b1"]
