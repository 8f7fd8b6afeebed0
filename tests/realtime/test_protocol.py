"""Socket.IO packet encoding and decoding (the frames of spec 5.2)."""

import pytest

from agnost_django.realtime import protocol


def test_decode_event_connect_and_binary():
    packet = protocol.decode('2["join",{"channel":"a"}]')
    assert (packet.type, packet.data, packet.namespace, packet.id) == (2, ["join", {"channel": "a"}], "/", None)
    packet = protocol.decode('0{"clientKey":"k"}')
    assert packet.type == protocol.CONNECT and packet.data == {"clientKey": "k"}
    packet = protocol.decode('0/admin,{"x":1}')
    assert packet.namespace == "/admin" and packet.data == {"x": 1}
    packet = protocol.decode('212["x"]')
    assert packet.id == 12
    packet = protocol.decode('51-["message",{"message":{"_placeholder":true,"num":0}}]')
    assert packet.attachments == 1 and not packet.complete
    packet.buffers.append(b"\x00\x01")
    assert packet.complete and packet.reconstruct() == ["message", {"message": b"\x00\x01"}]


@pytest.mark.parametrize("bad", ["", "x", "9[]", '2["unterminated', "599-[]"])
def test_decode_refuses_garbage(bad):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(bad)


def test_encode_plain_and_binary():
    assert protocol.event("hi", {"channel": None, "message": 1}) == ['42["hi",{"channel":null,"message":1}]']
    frames = protocol.event("bin", {"message": b"\xff", "more": [b"a"]})
    assert frames[0] == '452-["bin",{"message":{"_placeholder":true,"num":0},"more":[{"_placeholder":true,"num":1}]}]'
    assert frames[1:] == [b"\xff", b"a"]
    assert protocol.encode(protocol.ACK, [None], id=3) == ["433[null]"]
