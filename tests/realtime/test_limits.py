"""Issue #14: a socket cannot flood the others. Each connection has a frame budget (token
bucket: ``AGNOST_REALTIME_FRAME_RATE`` per second, ``AGNOST_REALTIME_FRAME_BURST`` at once);
the excess is dropped with one ``agnost:error`` ``rate_limit_exceeded``, and a socket that goes
on is closed (1008). Broadcasting to every connection takes a signed-in user."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from tests.realtime.sockets import open_socket

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def _session_token(user_factory) -> str:
    from asgiref.sync import sync_to_async

    from agnost_django import agnost

    user = await sync_to_async(user_factory)()
    return (await sync_to_async(agnost.auth.create_session)(user)).data["session"]["token"]


async def test_anonymous_sockets_may_not_broadcast(connect, user_factory):
    anonymous = await connect()
    listener = await connect()
    await anonymous.emit("message", {"eventName": "all", "message": "to everyone"})
    error = await anonymous.receive_event()
    assert error[0] == "agnost:error" and error[1]["event"] == "message"
    assert error[1]["errors"][0]["code"] == "channel_not_allowed"
    assert await listener.nothing()
    assert (await anonymous.call("message", {"eventName": "all", "message": 1}))[0]["errors"][0]["code"] == \
        "channel_not_allowed"  # and in the ack, when the client asks for one
    signed_in = await connect(Session=await _session_token(user_factory))
    await signed_in.emit("message", {"eventName": "all", "message": "from a user"})
    for client in (anonymous, listener, signed_in):
        assert await client.receive_event() == ["all", {"channel": None, "message": "from a user"}]


async def test_a_flood_is_told_once_then_closed(settings, connect):
    settings.AGNOST_REALTIME_FRAME_RATE = 10
    settings.AGNOST_REALTIME_FRAME_BURST = 20
    flooder = await connect()
    member = await connect()
    await member.call("join", {"channel": "room"})
    await member.receive_event()  # its own channel:join
    frame = "42" + json.dumps(["message", {"channel": "room", "eventName": "flood", "message": 0}])
    for _ in range(30):  # the connect used one token; 20 at most get through
        await flooder.ws.send_to(text_data=frame)
    error = await flooder.receive_event()
    assert error[0] == "agnost:error" and error[1]["event"] is None
    item = error[1]["errors"][0]
    assert item["code"] == "rate_limit_exceeded" and item["details"] == {"frameRate": 10, "frameBurst": 20}
    received = 0
    while not await member.nothing(0.2):
        assert await member.receive_event() == ["flood", {"channel": "room", "message": 0}]
        received += 1
    assert 15 <= received <= 21
    assert await flooder.nothing()  # told once, not once per dropped frame
    for _ in range(25):  # goes on: more than FRAME_BURST drops
        await flooder.ws.send_to(text_data=frame)
    with pytest.raises(ConnectionError, match="1008"):
        while True:
            await flooder.ws.receive_from()
    await member.emit("message", {"channel": "room", "eventName": "still", "message": "here"})
    late = 0  # tokens refilled while the test waited let a few more through
    while (event := await member.receive_event())[0] == "flood":
        late += 1
    assert event == ["still", {"channel": "room", "message": "here"}] and late <= 10


async def test_a_client_within_its_rate_is_never_limited(settings, connect):
    settings.AGNOST_REALTIME_FRAME_RATE = 50
    settings.AGNOST_REALTIME_FRAME_BURST = 5
    client = await connect()
    await client.call("join", {"channel": "steady"})
    await client.receive_event()
    for index in range(25):  # 40 frames/s, for longer than the burst would last
        await client.emit("message", {"channel": "steady", "eventName": "tick", "message": index})
        assert await client.receive_event() == ["tick", {"channel": "steady", "message": index}]
        await asyncio.sleep(0.025)


async def test_the_defaults_leave_room_for_a_busy_client(connect):
    """What the altogic client sends when it reconnects with many channels (autoJoinChannels)
    and messages it buffered meanwhile (bufferMessages): a profile, 100 joins, 300 sends, at once."""
    client = await connect()
    await client.emit("update", {"data": {"name": "Ada"}})
    for index in range(100):
        await client.emit("join", {"channel": f"room-{index}", "echo": False})
    for index in range(300):
        await client.emit("message", {"channel": "room-0", "eventName": "chat", "message": index, "echo": False})
    # The ack comes after the 401 frames before it are handled (100 joins: 100 group_adds on
    # Redis in pass 2), which took more than 2 s on a loaded 2-core machine.
    assert await client.call("join", {"channel": "last", "echo": False}, timeout=10) == [None]
    assert client.backlog == [] and await client.nothing()  # no agnost:error


@pytest.mark.parametrize(("rate", "burst", "ids"), [
    (100, 200, []), (None, 1, []), (0, 200, ["agnost_realtime.E003"]), ("fast", 0, ["agnost_realtime.E003",
                                                                                   "agnost_realtime.E004"]),
])
def test_checks_of_the_limits(settings, rate, burst, ids):
    from agnost_django.realtime.checks import check_realtime_backends

    settings.AGNOST_REALTIME_FRAME_RATE = rate
    settings.AGNOST_REALTIME_FRAME_BURST = burst
    assert [problem.id for problem in check_realtime_backends() if problem.id.endswith(("E003", "E004"))] == ids


# -- against the real server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(asgi_server):
    return asgi_server


async def _events(ws, timeout: float):
    """Events until ``timeout`` seconds pass without one."""
    events = []
    while True:
        try:
            frame = await asyncio.wait_for(ws.recv(), timeout)
        except asyncio.TimeoutError:
            return events
        if frame == "2":
            await ws.send("3")
        elif frame.startswith("42"):
            events.append(json.loads(frame[2:]))


@pytest.mark.xdist_group("realtime-processes")
def test_the_server_closes_a_flooding_socket_and_serves_the_others(server):
    """With the default limits (100 frames/s, 500 at once), under uvicorn."""
    from agnost_django.realtime.conf import realtime_settings

    rate, burst = realtime_settings.FRAME_RATE, realtime_settings.FRAME_BURST

    async def scenario():
        member = await open_socket(server)
        flooder = await open_socket(server)
        try:
            await member.send('421["join",{"channel":"room"}]')
            assert [event[0] for event in await _events(member, 1)] == ["channel:join"]
            frame = "42" + json.dumps(["message", {"channel": "room", "eventName": "flood", "message": "x"}])
            started = time.monotonic()
            frames = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                # Five bursts: the server closes after two (the limit, then as many dropped).
                for sent in range(1, 5 * burst + 1):
                    await flooder.send(frame)
                    if sent % 500 == 0:
                        await asyncio.sleep(0)
                while True:  # every frame was written before the server's close arrived
                    frames.append(await asyncio.wait_for(flooder.recv(), 60))
            elapsed = time.monotonic() - started
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008, closed.value
            errors = [json.loads(f[2:]) for f in frames if f.startswith('42["agnost:error"')]
            if errors:  # unless the close came while the client was still writing
                assert len(errors) == 1 and errors[0][1]["errors"][0]["code"] == "rate_limit_exceeded"
            flood = [event for event in await _events(member, 1) if event[0] == "flood"]
            assert 0 < len(flood) <= burst + rate * elapsed + 1, (len(flood), elapsed)
            # the other socket still works
            await member.send('42["message",{"channel":"room","eventName":"after","message":"ok"}]')
            assert ["after", {"channel": "room", "message": "ok"}] in await _events(member, 2)
            other = await open_socket(server)  # and the server takes new connections
            await other.close()
        finally:
            await member.close()
            await flooder.close()

    asyncio.run(scenario())


@pytest.mark.xdist_group("realtime-processes")
def test_sockets_decline_compression_as_socket_io_does(server):
    """A browser offers permessage-deflate on every websocket; accepted, each socket would hold
    two zlib streams and every frame would be compressed once per socket."""

    async def scenario():
        ws = await open_socket(server)  # websockets offers the extension, as browsers do
        try:
            offered = ws.request.headers.get("Sec-WebSocket-Extensions") or ""
            assert "permessage-deflate" in offered
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
            await ws.send('421["join",{"channel":"room"}]')
            assert [event[0] for event in await _events(ws, 1)] == ["channel:join"]
        finally:
            await ws.close()

    asyncio.run(scenario())
