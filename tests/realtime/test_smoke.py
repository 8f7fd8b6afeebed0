import json

import pytest

from agnost_django.core.services import create_client_key
from tests.realtime.conftest import Client


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_connect_join_message():
    from asgiref.sync import sync_to_async

    _key, secret = await sync_to_async(create_client_key)("rt")
    a, b = Client(), Client()
    frame = await a.connect(clientKey=secret, echoMessages=True)
    assert frame.startswith("40{"), frame
    sid_a = json.loads(frame[2:])["sid"]
    frame = await b.connect(clientKey=secret)
    await a.emit("join", {"channel": "room"})
    assert await a.receive_event() == ["channel:join", {"channel": "room", "message": {"id": sid_a, "data": None}}]
    await b.emit("message", {"channel": "room", "eventName": "hi", "message": {"x": 1}})
    assert await a.receive_event() == ["hi", {"channel": "room", "message": {"x": 1}}]
    frame = await Client().connect(clientKey="nope")
    assert frame.startswith("44"), frame
    await a.close(); await b.close()
