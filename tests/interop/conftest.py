"""Fixtures of the interop tests: the unmodified altogic npm client against a real server.

The server runs the stack named by ``settings.INTEROP_STACK`` ("embedded" under
``tests.settings``, "services" under ``tests.settings_services``). The tests here never
touch the Django test database: the server has its own (see server.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.interop.server import InteropServer, InteropUnavailable, check_node_available

INTEROP_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup hook reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    # A conftest hook sees the whole session's items; mark only this folder's.
    for item in items:
        if INTEROP_DIR in item.path.parents:
            item.add_marker(pytest.mark.interop)
            # On one worker under --dist loadgroup, so that one server serves them all (see
            # tests/conftest.py for why loadgroup needs help with pytest 9.2). Nothing
            # depends on it: without it each worker simply starts its own server.
            item.add_marker(pytest.mark.xdist_group("interop"))


@contextmanager
def running_server(env: dict[str, str] | None = None):
    """An :class:`InteropServer` on this run's stack with extra settings ``env``, stopped
    afterwards; skips the test if Node or the npm client is missing."""
    try:
        check_node_available()
    except InteropUnavailable as exc:
        pytest.skip(f"interop tests need Node and the npm client: {exc}")
    server = InteropServer(settings.INTEROP_STACK, env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def interop_server():
    """The server of this run's stack with the project's default settings."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def interop_server_factory():
    """``running_server``, for fixtures that need a server with other settings:
    ``with interop_server_factory({"AGNOST_AUTH_EMAIL_CONFIRMATION": "1"}) as server:``."""
    return running_server
