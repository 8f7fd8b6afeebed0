"""The /socket.io/ consumer: handshake, events, echo, membership, binary, acks, pings."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.realtime.conftest import Client

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def test_engine_io_open_frame(settings):
    settings.AGNOST_REALTIME_PING_INTERVAL = 1000
    client = Client()
    opened = await client.open()
    assert set(opened) == {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}
    assert opened["upgrades"] == [] and opened["pingInterval"] == 1000
    await client.close()


async def test_only_engine_io_4_websocket():
    from tests.realtime.conftest import WebsocketCommunicator, application

    ws = WebsocketCommunicator(application(), "/socket.io/?EIO=3&transport=websocket")
    connected, _ = await ws.connect()
    assert not connected
    await ws.disconnect()  # the server has closed it; the ASGI app then ends


async def test_connect_errors(client_key, db):
    clients = [Client() for _ in range(4)]
    frame = await clients[0].connect(clientKey="wrong")
    assert frame.startswith("44")
    body = json.loads(frame[2:])
    assert body["data"]["code"] == "invalid_client_key" and body["data"]["origin"] == "client_error"
    assert body["message"] == body["data"]["message"]
    assert json.loads((await clients[1].connect())[2:])["data"]["code"] == "missing_client_key"
    frame = await clients[2].connect(clientKey=client_key, Session="not a session")
    assert json.loads(frame[2:])["data"]["code"] == "invalid_session_token"
    await clients[3].open()
    await clients[3].ws.send_to(text_data='40/admin,{}')
    assert (await clients[3].next_frame()).startswith("44/admin,")
    for client in clients:
        await client.close()


async def test_join_is_idempotent_and_announced(connect):
    a = await connect()
    b = await connect()
    await a.call("join", {"channel": "room"})
    assert await a.receive_event() == ["channel:join", {"channel": "room", "message": {"id": a.sid, "data": None}}]
    await a.call("join", {"channel": "room"})  # the client joins twice on its first connection
    await b.emit("update", {"data": {"name": "bee"}})
    await b.call("join", {"channel": "room", "echo": False})
    joined = await a.receive_event()
    assert joined == ["channel:join", {"channel": "room", "message": {"id": b.sid, "data": {"name": "bee"}}}]
    assert await b.nothing()  # echo false: the joiner is not told
    assert await a.nothing()  # and no second notification of a's own join
    await a.emit("leave", {"channel": "elsewhere"})  # leaving a channel one is not in: a no-op
    assert await a.nothing() and await b.nothing()


async def test_messages_follow_echo_rules(connect, user_factory):
    from asgiref.sync import sync_to_async

    from agnost_django import agnost

    user = await sync_to_async(user_factory)()
    token = (await sync_to_async(agnost.auth.create_session)(user)).data["session"]["token"]
    a = await connect(echoMessages=False)
    b = await connect(Session=token)  # signed in: broadcasting needs it
    for client in (a, b):
        await client.call("join", {"channel": "room", "echo": False})
    assert await a.receive_event() == ["channel:join", {"channel": "room", "message": {"id": b.sid, "data": None}}]
    await a.emit("message", {"channel": "room", "eventName": "chat", "message": "from a"})
    assert await b.receive_event() == ["chat", {"channel": "room", "message": "from a"}]
    assert await a.nothing()  # a's connection default: no echo
    await a.emit("message", {"channel": "room", "eventName": "chat", "message": "again", "echo": True})
    assert await a.receive_event() == ["chat", {"channel": "room", "message": "again"}]
    assert await b.receive_event() == ["chat", {"channel": "room", "message": "again"}]
    outsider = await connect()
    await outsider.call("message", {"channel": "room", "eventName": "note", "message": 1})  # non-members may send
    assert await a.receive_event() == ["note", {"channel": "room", "message": 1}]
    assert await b.receive_event() == ["note", {"channel": "room", "message": 1}]
    await b.emit("message", {"eventName": "all", "message": {"x": 1}})  # broadcast: no channel
    for client in (a, b, outsider):
        assert await client.receive_event() == ["all", {"channel": None, "message": {"x": 1}}]


async def test_update_leave_and_disconnect_notify_members(connect):
    a = await connect()
    b = await connect()
    await a.call("join", {"channel": "room", "echo": False})
    await b.call("join", {"channel": "room", "echo": False})
    await a.receive_event()  # b joined
    await b.emit("update", {"data": {"status": "away"}})
    update = ["channel:update", {"channel": "room", "message": {"id": b.sid, "data": {"status": "away"}}}]
    assert await a.receive_event() == update and await b.receive_event() == update
    await b.emit("leave", {"channel": "room"})
    left = ["channel:leave", {"channel": "room", "message": {"id": b.sid, "data": {"status": "away"}}}]
    assert await a.receive_event() == left and await b.receive_event() == left
    await b.call("join", {"channel": "room", "echo": False})
    await a.receive_event()
    await b.close()
    assert await a.receive_event() == left


async def test_members_registry(connect):
    from agnost_django import agnost

    a = await connect()
    b = await connect()
    await a.emit("update", {"data": {"n": 1}})
    await a.call("join", {"channel": "room"})
    await b.call("join", {"channel": "room"})
    await a.receive_event(); await a.receive_event()
    result = await agnost.realtime.aget_members("room")
    assert sorted(result.data, key=lambda m: m["id"]) == sorted(
        [{"id": a.sid, "data": {"n": 1}}, {"id": b.sid, "data": None}], key=lambda m: m["id"])
    await b.emit("leave", {"channel": "room"})
    await a.receive_event()
    assert (await agnost.realtime.aget_members("room")).data == [{"id": a.sid, "data": {"n": 1}}]
    assert (await agnost.realtime.aget_members("empty")).data == []


async def test_binary_messages_and_acks(connect):
    a = await connect()
    b = await connect()
    await a.call("join", {"channel": "bin", "echo": False})
    await b.call("join", {"channel": "bin", "echo": False})
    await a.receive_event()
    await b.ws.send_to(text_data='451-["message",{"channel":"bin","eventName":"blob","message":{"_placeholder":true,"num":0}}]')
    await b.ws.send_to(bytes_data=b"\x00\xffdata")
    head = await a.next_frame()
    assert head == '451-["blob",{"channel":"bin","message":{"_placeholder":true,"num":0}}]'
    assert await a.ws.receive_from() == b"\x00\xffdata"
    await a.ws.send_to(text_data='427["join",{"channel":"acked"}]')
    frames = {await a.next_frame(), await a.next_frame()}  # the ack may come before the notification
    assert frames == {'42["channel:join",{"channel":"acked","message":{"id":"%s","data":null}}]' % a.sid, "437[null]"}


async def test_refused_events(connect):
    a = await connect()
    await a.emit("message", {"channel": "room", "eventName": "channel:join", "message": "spoof"})
    error = await a.receive_event()
    assert error[0] == "agnost:error" and error[1]["errors"][0]["code"] == "invalid_event_name"
    await a.emit("join", {"channel": "private-secret"})
    error = await a.receive_event()
    assert error == ["agnost:error", {"event": "join", "errors": [error[1]["errors"][0]]}]
    assert error[1]["errors"][0]["code"] == "channel_not_allowed"
    await a.emit("join", {"channel": ""})
    assert (await a.receive_event())[1]["errors"][0]["code"] == "invalid_channel"
    await a.ws.send_to(text_data='42["frobnicate",{}]')
    assert (await a.receive_event())[1]["errors"][0]["code"] == "invalid_event_name"


async def test_private_channels_need_a_session_and_consent(connect, user_factory):
    from asgiref.sync import sync_to_async

    from agnost_django import agnost

    alice = await sync_to_async(user_factory)()
    staff = await sync_to_async(user_factory)(is_staff=True)
    alice_token = (await sync_to_async(agnost.auth.create_session)(alice)).data["session"]["token"]
    staff_token = (await sync_to_async(agnost.auth.create_session)(staff)).data["session"]["token"]
    a = await connect(Session=alice_token)
    s = await connect(Session=staff_token)
    await a.emit("join", {"channel": f"private-user-{alice.pk}"})
    assert (await a.receive_event())[0] == "channel:join"
    await a.emit("join", {"channel": f"private-user-{staff.pk}"})
    assert (await a.receive_event())[0] == "agnost:error"
    await s.emit("join", {"channel": f"private-user-{alice.pk}"})
    assert (await s.receive_event())[0] == "channel:join"


async def test_ping_timeout_closes_a_silent_client(settings, client_key):
    settings.AGNOST_REALTIME_PING_INTERVAL = 200
    settings.AGNOST_REALTIME_PING_TIMEOUT = 200
    client = Client()
    await client.connect(clientKey=client_key)
    assert await client.ws.receive_from() == "2"  # a ping, left unanswered
    with pytest.raises(ConnectionError):
        await client.ws.receive_from(timeout=2)
    await client.close()


async def test_oversized_frame_closes(settings, connect):
    settings.AGNOST_REALTIME_MAX_PAYLOAD = 100
    a = await connect()
    await a.emit("message", {"eventName": "x", "message": "y" * 200})
    with pytest.raises(ConnectionError):
        await a.ws.receive_from()


async def test_presence_expires_without_heartbeat(settings, connect):
    from agnost_django.realtime.presence import get_presence

    settings.AGNOST_REALTIME_PRESENCE_TTL = 0.5
    a = await connect()
    await a.emit("join", {"channel": "ttl"})
    await a.receive_event()
    assert len(get_presence().members("ttl")) == 1
    await asyncio.sleep(0.7)  # no heartbeat in that time (the default interval is 20 s)
    assert get_presence().members("ttl") == []
