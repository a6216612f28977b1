"""Routing dial jobs over several Asterisk servers: pure rules."""

from __future__ import annotations

import random
from collections import Counter

from callcenter.campaign.routing import ServerLoad, overflow, queue_name, room, route


def test_jobs_spread_in_proportion_to_each_limit_and_never_beyond_it() -> None:
    servers = [ServerLoad("a", "trunk", 4, 0), ServerLoad("b", "trunk", 2, 0)]
    chosen = route(servers, {}, 10, random.Random(1))
    assert Counter(chosen) == {"a": 4, "b": 2}
    # every prefix keeps both near the same share of their limits: b, at half a's
    # limit, never gets two in a row ahead of a
    assert Counter(chosen[:3]) == {"a": 2, "b": 1}


def test_the_largest_share_free_wins_not_the_most_slots_free() -> None:
    # a has 5 free of 10, b 4 free of 4: b is the emptier server
    servers = [ServerLoad("a", "trunk", 10, 5), ServerLoad("b", "trunk", 4, 0)]
    assert route(servers, {}, 2, random.Random(1)) == ["b", "b"]
    assert Counter(route(servers, {}, 9, random.Random(1))) == {"a": 5, "b": 4}


def test_ties_are_drawn_so_the_first_named_does_not_always_lead() -> None:
    """With equal servers, a fixed tie-break gives the first-named server the first job
    of every dispatch; a dispatch after each call sends one job, so the first-named
    server would get whatever comes first in the job order."""
    servers = [ServerLoad("a", "trunk", 20, 19), ServerLoad("b", "trunk", 20, 19)]
    rng = random.Random(7)
    leads = Counter(route(servers, {}, 1, rng)[0] for _ in range(200))
    assert leads.keys() == {"a", "b"} and min(leads.values()) > 60
    # within one dispatch they still alternate
    for _ in range(20):
        pair = route([ServerLoad("a", "trunk", 5, 0), ServerLoad("b", "trunk", 5, 0)], {}, 2, rng)
        assert sorted(pair) == ["a", "b"]


def test_a_job_beyond_every_servers_room_waits_on_the_least_loaded_for_its_limit() -> None:
    full = [
        ServerLoad("a", "trunk", 20, 23),  # 3 already waiting: 15 % over
        ServerLoad("b", "trunk", 10, 11),  # 1 waiting: 10 % over
        ServerLoad("c", "trunk", 10, 0, up=False),
    ]
    assert route(full, {}, 5) == []
    assert overflow(full, random.Random(1)) == "b"
    assert overflow([ServerLoad("c", "trunk", 10, 0, up=False)]) is None
    tied = [ServerLoad("a", "trunk", 4, 4), ServerLoad("b", "trunk", 4, 4)]
    rng = random.Random(3)
    assert {overflow(tied, rng) for _ in range(50)} == {"a", "b"}


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
