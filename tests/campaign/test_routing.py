"""Routing dial jobs over several Asterisk servers: pure rules."""

from __future__ import annotations

from collections import Counter

from callcenter.campaign.routing import ServerLoad, queue_name, room, route


def test_jobs_spread_by_room_left_and_never_beyond_a_server_limit() -> None:
    servers = [ServerLoad("a", "trunk", 4, 0), ServerLoad("b", "trunk", 2, 0)]
    chosen = route(servers, {}, 10)
    assert Counter(chosen) == {"a": 4, "b": 2}
    # the most room first; a tie goes to the server named first
    assert chosen[:4] == ["a", "a", "a", "b"]


def test_a_server_already_busy_gets_only_what_it_has_left() -> None:
    servers = [ServerLoad("a", "trunk", 5, 4), ServerLoad("b", "trunk", 5, 0)]
    assert Counter(route(servers, {}, 3)) == {"b": 3}
    assert Counter(route(servers, {}, 10)) == {"a": 1, "b": 5}


def test_a_down_server_gets_nothing() -> None:
    servers = [ServerLoad("a", "trunk", 5, 0, up=False), ServerLoad("b", "trunk", 3, 1)]
    assert route(servers, {}, 10) == ["b", "b"]
    assert route([ServerLoad("a", "trunk", 5, 0, up=False)], {}, 10) == []


def test_the_trunk_limit_holds_for_every_server_on_it_together() -> None:
    servers = [
        ServerLoad("a", "carrier1", 10, 2),
        ServerLoad("b", "carrier1", 10, 3),
        ServerLoad("c", "carrier2", 2, 0),
    ]
    chosen = route(servers, {"carrier1": 8}, 20)
    counts = Counter(chosen)
    assert counts["a"] + counts["b"] == 3  # 8 on carrier1, 5 of them up already
    assert counts["c"] == 2  # carrier2 has no limit of its own: its server's
    assert room(servers, {"carrier1": 8}) == 5
    # a trunk already over its limit (lowered while calls were up) takes nothing more
    assert route(servers[:2], {"carrier1": 4}, 5) == []


def test_each_server_has_a_queue_of_its_own() -> None:
    assert queue_name("sandbox2") == "calls.sandbox2"
