"""The altogic npm client's DatabaseManager, QueryBuilder and DBObject against the real
server (see data.test.mjs).

The server is ``tests/interop/server_settings.py``: the example project (``todos``, owner
rules) plus the test models of ``tests/dataapp`` (``categories``, ``products`` with the
sub-models ``products.reviews`` and ``products.detail``, ``reviews``, ``productdetails``).
Email confirmation is off there (the project's default), so data.test.mjs signs its todo
users up through the client and gets their sessions at once.
"""

from __future__ import annotations

from tests.interop.server import node_failure


def test_database_manager(interop_server):
    # Sign-ups hash with Argon2 and the concurrency tests send 50 requests at once: allow for a
    # busy xdist run.
    result = interop_server.run_node("data.test.mjs", timeout=300)
    assert result.returncode == 0, node_failure(result, interop_server)
