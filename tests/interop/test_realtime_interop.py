"""The altogic npm client's RealtimeManager against the real server (see realtime.test.mjs).

The server of this module runs with a short presence TTL and heartbeat
(``AGNOST_REALTIME_PRESENCE_TTL`` = :data:`PRESENCE_TTL`, ``..._HEARTBEAT_INTERVAL`` =
:data:`HEARTBEAT` seconds), so that a crashed process's members disappear quickly and live
members are seen to survive several TTLs.

* ``main``: two (and more) clients exchange joins, leaves, profiles, messages, broadcasts and
  binary data, read members over REST, hit the handshake and channel refusals, and hear user
  events. On the services stack the second client connects to a peer process
  (:meth:`InteropServer.spawn_peer`: same PostgreSQL database, same Redis and
  ``CACHE_KEY_PREFIX``), so every exchange crosses processes through channels_redis and the
  Redis presence registry; the embedded stack is one process (in-memory channel layer and
  presence), so both clients use it. A staff user (for private channels) is made with
  ``manage.py shell``; the other users sign up through the client.
* ``crash`` (services): two idle connections (one per process) stay up for longer than the
  channel layer's 5 s blocking read and stay members beyond the TTL; then the member on a
  peer process that Node kills with SIGKILL leaves ``getMembers`` (asked through the
  surviving process) within the TTL.
* ``isolation`` (services): a process on the same Redis database under another
  ``CACHE_KEY_PREFIX`` is another app and must not receive this app's messages.
"""

from __future__ import annotations

import re
import secrets
import signal
import textwrap

import pytest
from django.conf import settings

from tests.interop.server import node_failure

PRESENCE_TTL = 3
HEARTBEAT = 1
SERVER_ENV = {
    "AGNOST_REALTIME_PRESENCE_TTL": str(PRESENCE_TTL),
    "AGNOST_REALTIME_HEARTBEAT_INTERVAL": str(HEARTBEAT),
    "AGNOST_REALTIME_RESUMABLE_CHANNELS": "resumable-*",
}
NODE_TIMEOUT = 90


def node_env(**extra: str) -> dict[str, str]:
    return {**SERVER_ENV, **extra}


def shell(server, code: str) -> str:
    """The last line ``manage.py shell`` prints (Django 5.2 may announce auto-imports)."""
    output = server.manage("shell", "-c", textwrap.dedent(code)).stdout.strip()
    return output.splitlines()[-1] if output else ""


def create_staff(server) -> dict[str, str]:
    """A staff user (staff may use every ``private-*`` channel; it cannot sign up through the
    client), for Node as ``AGNOST_STAFF_EMAIL`` / ``AGNOST_STAFF_PASSWORD``."""
    email = f"it-rt-staff-{secrets.token_hex(4)}@example.com"
    password = f"Pw-{secrets.token_hex(8)}-Zq!"
    shell(server, f"""
        from django.contrib.auth import get_user_model
        User = get_user_model()
        User._default_manager.create_user(
            **{{User.USERNAME_FIELD: {email!r}, "email": {email!r}}}, password={password!r}, is_staff=True)
        print("ok")
    """)
    return {"AGNOST_STAFF_EMAIL": email, "AGNOST_STAFF_PASSWORD": password}


def passed(result) -> int:
    """How many Node tests passed (the spec reporter's summary): a suite that silently skipped
    everything must not count as a success."""
    match = re.search(r"^ℹ pass (\d+)$", result.stdout, re.MULTILINE)
    return int(match.group(1)) if match else 0


def require_services() -> None:
    if settings.INTEROP_STACK != "services":
        pytest.skip("needs two server processes sharing Redis: the services stack (--ds=tests.settings_services)")


@pytest.fixture(scope="module")
def realtime_server(interop_server_factory):
    with interop_server_factory(SERVER_ENV) as server:
        yield server


def test_two_clients(realtime_server):
    """Everything two clients do to each other (the ``main`` suite)."""
    server = realtime_server
    peer = server.spawn_peer() if settings.INTEROP_STACK == "services" else server
    env = node_env(AGNOST_REALTIME_SUITE="main", AGNOST_PEER_ENV_URL=peer.env_url, **create_staff(server))
    result = server.run_node("realtime.test.mjs", extra_env=env, timeout=NODE_TIMEOUT)
    logs = "" if peer is server else f"\n--- peer log (tail) ---\n{peer.log()[-5000:]}"
    assert result.returncode == 0, node_failure(result, server) + logs
    assert passed(result) >= 10, result.stdout


def test_crashed_process_members_expire(realtime_server):
    """The ``crash`` suite; Node kills the victim by its pid."""
    require_services()
    server = realtime_server
    victim = server.spawn_peer()
    env = node_env(AGNOST_REALTIME_SUITE="crash", AGNOST_VICTIM_ENV_URL=victim.env_url,
                   AGNOST_VICTIM_PID=str(victim.pid))
    result = server.run_node("realtime.test.mjs", extra_env=env, timeout=NODE_TIMEOUT)
    assert result.returncode == 0, node_failure(result, server) + f"\n--- victim log ---\n{victim.log()[-3000:]}"
    assert passed(result) == 1, result.stdout
    assert victim.kill() == -signal.SIGKILL, "the victim was not killed by the test"


def test_other_prefix_is_another_app(realtime_server):
    """The ``isolation`` suite: the other app is a peer process under another prefix."""
    require_services()
    server = realtime_server
    foreign = server.spawn_peer(env={"CACHE_KEY_PREFIX": f"{server.env['CACHE_KEY_PREFIX']}-foreign"})
    env = node_env(AGNOST_REALTIME_SUITE="isolation", AGNOST_FOREIGN_ENV_URL=foreign.env_url)
    result = server.run_node("realtime.test.mjs", extra_env=env, timeout=NODE_TIMEOUT)
    assert result.returncode == 0, node_failure(result, server) + f"\n--- other app's log ---\n{foreign.log()[-3000:]}"
    assert passed(result) == 1, result.stdout
