"""The altogic npm client's AuthManager against the real server (see auth.test.mjs).

Confirmation of new email addresses and phone numbers is a server setting, so each mode
gets its own server: ``confirm`` (``AGNOST_AUTH_EMAIL_CONFIRMATION=1``,
``AGNOST_AUTH_PHONE_CONFIRMATION=1``) and ``noconfirm`` (both ``0``). auth.test.mjs runs the
tests of both modes and those of the mode named by ``AGNOST_AUTH_MODE``. Emails and SMS reach
the Node side through the files server.py configures.
"""

from __future__ import annotations

import pytest

from tests.interop.server import node_failure

MODES = {
    "confirm": {"AGNOST_AUTH_EMAIL_CONFIRMATION": "1", "AGNOST_AUTH_PHONE_CONFIRMATION": "1"},
    "noconfirm": {"AGNOST_AUTH_EMAIL_CONFIRMATION": "0", "AGNOST_AUTH_PHONE_CONFIRMATION": "0"},
}


@pytest.fixture(scope="module", params=list(MODES))
def auth_server(request, interop_server_factory):
    """``(mode, server)``: one server per confirmation mode, shared by this module."""
    with interop_server_factory(MODES[request.param]) as server:
        yield request.param, server


def test_auth_manager(auth_server):
    mode, server = auth_server
    # Argon2 hashing makes these slower than the cache tests, more so on a busy xdist run.
    result = server.run_node("auth.test.mjs", extra_env={"AGNOST_AUTH_MODE": mode}, timeout=300)
    assert result.returncode == 0, node_failure(result, server)
