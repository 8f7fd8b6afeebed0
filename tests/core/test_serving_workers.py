"""``manage.py agnost_serve --workers N``: N forked server processes, each with its own
listening socket on the one port (``SO_REUSEPORT``), so that the kernel spreads connections
over all of them; a worker that dies is replaced; SIGTERM stops them all. On the embedded
stack (a channel layer that reaches one process) several workers are refused."""

from __future__ import annotations

import http.client
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.interop.server import InteropServer, ServerStartError

pytestmark = pytest.mark.xdist_group("serving-workers")


def children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(child) for child in path.read_text().split()} if path.exists() else set()


def sockets(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            pass
    return count


def get(port: int, connection: http.client.HTTPConnection | None = None) -> int:
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/_api/rest/v1")
    response = connection.getresponse()
    response.read()
    return response.status


def answers(port: int) -> bool:
    try:
        return get(port) == 200
    except OSError:  # a connection caught in the dead worker's socket as it closed
        return False


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return predicate()


@pytest.mark.skipif(settings.INTEROP_STACK != "embedded", reason="the embedded stack's refusal")
def test_several_workers_need_a_shared_channel_layer():
    with pytest.raises(ServerStartError, match="--workers needs a channel layer shared between processes"):
        InteropServer("embedded", serve_args=("--workers", "2")).start()


@pytest.mark.skipif(settings.INTEROP_STACK != "services", reason="needs Redis for the channel layer")
def test_workers_share_the_port_and_are_replaced():
    server = InteropServer("services", serve_args=("--workers", "2")).start()
    try:
        workers = wait_for(lambda: len(children(server.pid)) == 2 and children(server.pid))
        assert len(workers) == 2, workers
        before = {pid: sockets(pid) for pid in workers}
        # 40 keep-alive connections: each worker gets a share (kernel hashing, both sockets
        # listen on the port), not one worker all of them.
        connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(40)]
        assert {get(server.port, connection) for connection in connections} == {200}
        gained = {pid: sockets(pid) - before[pid] for pid in workers}
        assert all(count >= 5 for count in gained.values()), gained
        for connection in connections:
            connection.close()

        # A worker killed is replaced (the parent waits 1 s); the other serves meanwhile.
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: answers(server.port), timeout=2)
        replaced = wait_for(lambda: len(children(server.pid)) == 2 and victim not in children(server.pid))
        assert replaced, children(server.pid)
        assert wait_for(lambda: all(answers(server.port) for _ in range(10)))

        # SIGTERM to the parent stops every worker.
        workers = children(server.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0
        assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                       for pid in workers)
    finally:
        server.stop()
