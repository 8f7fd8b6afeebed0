"""Server code reaching connected clients: the server library from a plain view, from a
django-q2 task, and data changes of an exposed model; getMembers over REST."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from agnost_django import agnost
from agnost_django.core.testing import AgnostAPIClient

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def test_send_from_a_plain_django_view(connect, settings):
    settings.ROOT_URLCONF = "tests.realtime.urls"
    a = await connect()
    await a.call("join", {"channel": "news"})
    await a.receive_event()  # its own channel:join
    client = await sync_to_async(AgnostAPIClient)()
    response = await sync_to_async(client.get)("/host/announce?channel=news&text=hello")
    assert response.json() == {"data": None, "errors": None}
    assert await a.receive_event() == ["announcement", {"channel": "news", "message": {"text": "hello"}}]


async def test_broadcast_from_a_django_q2_task(connect):
    from django_q.tasks import async_task

    a = await connect()
    b = await connect()
    # The test settings run django-q2 tasks synchronously, in this process: the handler's
    # broadcast goes through the channel layer like one run by a worker.
    await sync_to_async(async_task)("tests.realtime.views.shout", "to everyone")
    for client in (a, b):
        assert await client.receive_event() == ["shout", {"channel": None, "message": "to everyone"}]


async def test_send_from_a_queue_handler(connect):
    a = await connect()
    await a.call("join", {"channel": "orders"})
    await a.receive_event()
    # The @queue handler "announce" calls agnost.realtime.send; the test settings run the
    # django-q2 task in this process as soon as the submitting transaction commits.
    result = await sync_to_async(agnost.queue("announce").submit_message)({"channel": "orders", "text": "paid"})
    assert result.ok
    assert await a.receive_event() == ["announcement", {"channel": "orders", "message": "paid"}]
    status = await sync_to_async(agnost.queue("announce").get_message_status)(result.data["messageId"])
    assert status.data["status"] == "completed"


async def test_server_library_results_and_errors(connect):
    a = await connect()
    await a.call("join", {"channel": "lib"})
    await a.receive_event()
    assert (await agnost.realtime.asend("lib", "ping", {"n": 1})).ok
    assert await a.receive_event() == ["ping", {"channel": "lib", "message": {"n": 1}}]
    result = await agnost.realtime.asend("", "x", 1)
    assert result.errors.items[0].code == "invalid_channel"
    result = await agnost.realtime.abroadcast("connect", 1)
    assert result.errors.items[0].code == "invalid_event_name"
    result = await sync_to_async(agnost.realtime.get_members)("lib")
    assert result.data == [{"id": a.sid, "data": None}]


async def test_realtime_disabled(settings, client_key):
    from tests.realtime.conftest import Client

    settings.AGNOST_REALTIME_ENABLED = False
    result = await agnost.realtime.abroadcast("x", 1)
    assert result.errors.items[0].code == "realtime_not_enabled" and result.errors.status == 503
    client = Client()
    frame = await client.connect(clientKey=client_key)
    assert '"realtime_not_enabled"' in frame and frame.startswith("44")
    await client.close()


async def test_data_changes_are_published_after_commit(connect, monkeypatch):
    from agnost_django.data.registry import site

    resource = site.get("categories")
    monkeypatch.setattr(resource, "realtime_channel", "categories", raising=False)
    a = await connect()
    await a.call("join", {"channel": "categories"})
    await a.receive_event()
    model = agnost.db().model("categories", bypass_rules=True)
    created = (await sync_to_async(model.create_one)({"name": "Tools", "code": "T"})).unwrap()
    event = await a.receive_event()
    assert event[0] == "create" and event[1]["channel"] == "categories"
    assert event[1]["message"]["model"] == "categories"
    assert event[1]["message"]["objects"][0]["_id"] == created["_id"]
    await sync_to_async(model.update_by_id)(created["_id"], {"name": "Tooling"})
    assert await a.receive_event() == ["update", {"channel": "categories",
                                                   "message": {"model": "categories", "ids": [created["_id"]]}}]
    await sync_to_async(model.delete_by_id)(created["_id"])
    assert (await a.receive_event())[0] == "delete"


async def test_get_members_over_rest(connect, client_key, user_factory):
    a = await connect()
    await a.emit("update", {"data": {"name": "ann"}})
    await a.call("join", {"channel": "lobby"})
    client = await sync_to_async(AgnostAPIClient)(client_key=client_key)
    response = await sync_to_async(client.post)("/_api/rest/v1/realtime/get-members", {"channel": "lobby"},
                                                format="json")
    assert response.status_code == 200 and response.json() == [{"id": a.sid, "data": {"name": "ann"}}]
    response = await sync_to_async(client.post)("/_api/rest/v1/realtime/get-members", {"channel": "nobody"},
                                                format="json")
    assert response.json() == []
    response = await sync_to_async(client.post)("/_api/rest/v1/realtime/get-members", {"channel": "private-x"},
                                                format="json")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "missing_session_token"
    user = await sync_to_async(user_factory)()
    token = (await sync_to_async(agnost.auth.create_session)(user)).data["session"]["token"]
    client.credentials(HTTP_X_CLIENT_KEY=client_key, HTTP_SESSION=token)
    response = await sync_to_async(client.post)("/_api/rest/v1/realtime/get-members", {"channel": "private-x"},
                                                format="json")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "channel_not_allowed"
    response = await sync_to_async(client.post)("/_api/rest/v1/realtime/get-members", {"channel": ""}, format="json")
    assert response.json()["errors"][0]["code"] == "invalid_channel"


async def test_user_events_reach_the_users_connections(connect, user_factory):
    user = await sync_to_async(user_factory)(email="rt@example.com", password="correct horse battery")
    token = (await sync_to_async(agnost.auth.create_session)(user)).data["session"]["token"]
    mine = await connect(Session=token)
    other = await connect()
    client = await sync_to_async(AgnostAPIClient)()
    response = await sync_to_async(client.post)("/_api/rest/v1/auth/signin-email",
                                                {"email": "rt@example.com", "password": "correct horse battery"},
                                                format="json")
    assert response.status_code == 200, response.json()
    event = await mine.receive_event()
    assert event[0] == "user:signin" and event[1] == "user:signin"
    assert event[2]["userId"] == str(user.pk) and event[3]["_id"] == str(user.pk)
    assert await other.nothing()


async def test_a_non_default_layer_alias_carries_both_ways(connect, settings):
    """With AGNOST_REALTIME_CHANNEL_LAYER naming another alias, the consumer listens there: a
    server-side send reaches the socket, and a client's message reaches other sockets; nothing
    goes through the "default" layer."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
        "realtime": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    }
    settings.AGNOST_REALTIME_CHANNEL_LAYER = "realtime"
    channel_layers.backends.clear()
    try:
        a = await connect()
        b = await connect()
        for client in (a, b):
            await client.call("join", {"channel": "alias"})
        await a.receive_event()
        await a.receive_event()  # b's join
        await b.receive_event()
        assert (await agnost.realtime.asend("alias", "from-server", 1)).ok
        for client in (a, b):
            assert await client.receive_event() == ["from-server", {"channel": "alias", "message": 1}]
        await a.emit("message", {"channel": "alias", "eventName": "chat", "message": "hi"})
        assert await b.receive_event() == ["chat", {"channel": "alias", "message": "hi"}]
        assert channel_layers["default"].groups == {}
    finally:
        channel_layers.backends.clear()
