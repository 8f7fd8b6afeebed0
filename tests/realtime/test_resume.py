"""Resumable channels: numbered messages, kept for a window, replayed to a client that comes
back — with ``join {channel, since}`` or, from the altogic client, ``send(channel,
"agnost:resume", {since})`` after its automatic re-join.

The embedded pass keeps the messages in the database, the services pass in Redis streams."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async

from agnost_django import agnost
from agnost_django.realtime import history
from agnost_django.realtime.history import get_history

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def resumable(settings):
    settings.AGNOST_REALTIME_RESUMABLE_CHANNELS = ["room-*", "feed"]
    settings.AGNOST_REALTIME_RESUME_WINDOW = 60
    settings.AGNOST_REALTIME_RESUME_SIZE = 100
    return settings


def unique(name: str) -> str:
    import secrets

    return f"{name}-{secrets.token_hex(4)}"  # Redis history outlives a test's database


async def joined(connect, channel: str, **payload):
    client = await connect()
    assert await client.call("join", {"channel": channel, **payload}) == [None]
    return client


async def events(client, count: int) -> list:
    return [await client.receive_event() for _ in range(count)]


async def after_join(client, count: int) -> list:
    """The next ``count`` events besides the client's own ``channel:join`` (which comes back
    through the channel layer, so a replay sent straight to the socket may come first)."""
    received = await events(client, count + 1)
    assert [event for event, _payload in received].count("channel:join") == 1, received
    return [entry for entry in received if entry[0] != "channel:join"]


async def test_messages_of_resumable_channels_are_numbered(connect):
    room, plain = unique("room"), unique("plain")
    a = await joined(connect, room)
    b = await joined(connect, plain)
    assert (await a.receive_event())[0] == "channel:join"  # membership events: no number
    await b.receive_event()
    assert await a.call("message", {"channel": room, "eventName": "said", "message": "one"}) == [None]
    assert (await agnost.realtime.asend(room, "said", "two")).ok
    assert await events(a, 2) == [["said", {"channel": room, "message": "one", "seq": 1}],
                                  ["said", {"channel": room, "message": "two", "seq": 2}]]
    assert (await agnost.realtime.asend(plain, "said", "three")).ok
    assert await b.receive_event() == ["said", {"channel": plain, "message": "three"}]


async def test_a_client_that_comes_back_gets_what_it_missed_then_the_live_ones(connect):
    room = unique("room")
    a = await joined(connect, room)
    await a.receive_event()
    await agnost.realtime.asend(room, "said", "before")
    assert (await a.receive_event())[1]["seq"] == 1
    await a.close()  # gone: two messages it does not hear
    await agnost.realtime.asend(room, "said", "missed 1")
    other = await connect()
    await other.call("message", {"channel": room, "eventName": "said", "message": "missed 2"})

    back = await joined(connect, room, since=1)
    assert await after_join(back, 3) == [
        ["said", {"channel": room, "message": "missed 1", "seq": 2}],
        ["said", {"channel": room, "message": "missed 2", "seq": 3}],
        ["channel:resume", {"channel": room, "message": {"since": 1, "last": 3, "replayed": 2, "complete": True}}],
    ]
    await agnost.realtime.asend(room, "said", "live")
    assert await back.receive_event() == ["said", {"channel": room, "message": "live", "seq": 4}]
    assert await back.nothing()


async def test_the_altogic_client_resumes_after_its_rejoin_without_duplicates(connect):
    room = unique("room")
    for text in ("a", "b", "c"):
        await agnost.realtime.asend(room, "said", text)
    back = await joined(connect, room)  # the client's automatic re-join, no `since`
    await back.receive_event()
    await agnost.realtime.asend(room, "said", "d")  # live before the resume is asked for
    assert (await back.receive_event())[1]["seq"] == 4
    assert await back.call("message", {"channel": room, "eventName": "agnost:resume",
                                       "message": {"since": 1}}) == [None]
    assert await events(back, 3) == [
        ["said", {"channel": room, "message": "b", "seq": 2}],
        ["said", {"channel": room, "message": "c", "seq": 3}],
        ["channel:resume", {"channel": room, "message": {"since": 1, "last": 4, "replayed": 2, "complete": True}}],
    ]
    assert await back.nothing()


async def test_a_resume_without_a_join_joins_and_replays_in_order(connect):
    # The altogic client with autoJoinChannels: false, its app resuming in onConnect: no live
    # message can come between a join and the replay.
    room = unique("room")
    for text in ("a", "b"):
        await agnost.realtime.asend(room, "said", text)
    back = await connect()
    assert await back.call("message", {"channel": room, "eventName": "agnost:resume",
                                       "message": {"since": 0}}) == [None]
    assert await after_join(back, 3) == [
        ["said", {"channel": room, "message": "a", "seq": 1}],
        ["said", {"channel": room, "message": "b", "seq": 2}],
        ["channel:resume", {"channel": room, "message": {"since": 0, "last": 2, "replayed": 2, "complete": True}}],
    ]
    assert [member["id"] for member in (await sync_to_async(agnost.realtime.get_members)(room)).data] == [back.sid]


async def test_a_message_kept_but_never_sent_is_delivered_in_its_place(connect):
    # A publisher that numbered and kept a message, then died before sending it: the next
    # message waits for it briefly, then the hub reads it from the history.
    room = unique("room")
    listener = await joined(connect, room)
    await listener.receive_event()
    kept = {"type": "agnost.event", "event": "said", "channel": room, "message": "lost on the way",
            "sender": None, "echo": True, "args": None}
    assert await history.aappend(room, kept) == 1
    await agnost.realtime.asend(room, "said", "next")
    assert await events(listener, 2) == [["said", {"channel": room, "message": "lost on the way", "seq": 1}],
                                         ["said", {"channel": room, "message": "next", "seq": 2}]]
    assert await listener.nothing()


async def test_what_is_no_longer_kept_makes_the_resume_incomplete(connect, resumable):
    resumable.AGNOST_REALTIME_RESUME_SIZE = 2
    room = unique("room")
    for n in range(1, 6):
        await agnost.realtime.asend(room, "said", n)
    back = await joined(connect, room, since=1)
    assert await after_join(back, 3) == [
        ["said", {"channel": room, "message": 4, "seq": 4}],
        ["said", {"channel": room, "message": 5, "seq": 5}],
        ["channel:resume", {"channel": room, "message": {"since": 1, "last": 5, "replayed": 2, "complete": False}}],
    ]
    # Up to date: nothing to send, complete.
    assert await back.call("message", {"channel": room, "eventName": "agnost:resume", "message": {"since": 5}}) == [None]
    assert await back.receive_event() == [
        "channel:resume", {"channel": room, "message": {"since": 5, "last": 5, "replayed": 0, "complete": True}}]


async def test_messages_older_than_the_window_are_not_replayed(connect, resumable):
    resumable.AGNOST_REALTIME_RESUME_WINDOW = 0.5
    room = unique("room")
    await agnost.realtime.asend(room, "said", "old")
    await asyncio.sleep(0.7)
    await agnost.realtime.asend(room, "said", "new")
    back = await joined(connect, room, since=0)
    assert await after_join(back, 2) == [
        ["said", {"channel": room, "message": "new", "seq": 2}],
        ["channel:resume", {"channel": room, "message": {"since": 0, "last": 2, "replayed": 1, "complete": False}}],
    ]


async def test_bad_resumes_are_refused_and_change_nothing(connect):
    room, plain = unique("room"), unique("plain")
    a = await connect()

    async def refused(event, payload):
        (answer,) = await a.call(event, payload)
        return [item["code"] for item in answer["errors"]]

    assert await refused("join", {"channel": plain, "since": 0}) == ["channel_not_resumable"]
    for since in (-1, "3", 1.5, True, None):
        assert await refused("join", {"channel": room, "since": since}) == ["invalid_resume_point"]
    assert await refused("message", {"channel": plain, "eventName": "agnost:resume",
                                     "message": {"since": 0}}) == ["channel_not_resumable"]
    assert await a.nothing()  # no join happened
    assert (await sync_to_async(agnost.realtime.get_members)(room)).data == []


async def test_numbers_follow_the_order_of_publishing(connect):
    room = "feed"  # a channel name the settings list as such
    before = (await sync_to_async(get_history().since)(room, 0)).last
    listener = await joined(connect, room)
    await listener.receive_event()
    await asyncio.gather(*(agnost.realtime.asend(room, "n", n) for n in range(20)))
    received = await events(listener, 20)
    # Numbered in parallel (each in a thread), sent in any order: delivered in number order.
    assert [payload["seq"] for _event, payload in received] == list(range(before + 1, before + 21))
    assert sorted(payload["message"] for _event, payload in received) == list(range(20))


@pytest.mark.parametrize("store", ["database", "redis"])
def test_concurrent_publishers_get_distinct_numbers_in_the_kept_order(store):
    from django.db import connection, connections

    from agnost_django.realtime.history import DatabaseHistory, RedisHistory

    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database is private to one connection; the services pass runs this")
    history = DatabaseHistory() if store == "database" else RedisHistory("default")
    room = unique("room")

    def publish(n: int) -> int:
        try:
            return history.append(room, {"event": "n", "channel": room, "message": n})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(publish, range(40)))
    assert sorted(numbers) == list(range(1, 41))
    replay = history.since(room, 0)
    assert replay.last == 40 and replay.complete
    assert [seq for seq, _message in replay.messages] == list(range(1, 41))
    assert {seq: message["message"] for seq, message in replay.messages} == {
        seq: n for n, seq in enumerate(numbers)}


async def test_messages_that_cross_on_the_way_go_out_in_number_order():
    from agnost_django.realtime.hub import Hub, Ordering

    room = unique("room")
    hub = Hub("default")
    delivered = []
    hub.deliver = lambda message: delivered.append(message["seq"])  # what reaches the sockets
    ordering = Ordering(hub)
    ordering.next = 1

    def arrive(seq: int) -> None:
        ordering.arrive({"seq": seq, "channel": room, "group": "g", "event": "said", "message": seq})

    for seq in (2, 3, 1):
        arrive(seq)
    assert delivered == [1, 2, 3]
    arrive(5)  # 4 was neither sent nor kept
    assert delivered == [1, 2, 3]
    await asyncio.sleep(Ordering.GAP_WAIT + 0.4)
    assert delivered == [1, 2, 3, 5]
    arrive(4)  # too late: dropped rather than delivered out of order
    arrive(6)
    assert delivered == [1, 2, 3, 5, 6]
    ordering.stop()
