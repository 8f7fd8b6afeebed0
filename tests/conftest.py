"""Fixtures shared by the whole suite (factories rather than fixed objects)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from agnost_django.core import nearcache
from agnost_django.core.services import create_client_key
from agnost_django.core.testing import AgnostAPIClient, isolated_registries


@pytest.fixture(autouse=True)
def _isolated_registries():
    with isolated_registries():
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Each xdist worker has its own LocMem cache or its own Redis database number.
    caches["default"].clear()
    nearcache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    """DRF's test client without a client key."""
    return APIClient()


@pytest.fixture
def client_key_factory(db):
    """``client_key_factory(**options) -> (ClientKey, secret)``."""

    def make(name: str = "test key", **options):
        return create_client_key(name, **options)

    return make


@pytest.fixture
def agnost_client(db) -> AgnostAPIClient:
    """An API client sending a fresh, unrestricted client key."""
    return AgnostAPIClient()


@pytest.fixture
def user_factory(db, django_user_model):
    counter = iter(range(1, 10**6))

    def make(**fields):
        number = next(counter)
        fields.setdefault("username", f"user{number}")
        fields.setdefault("email", f"user{number}@example.com")
        password = fields.pop("password", "correct horse battery staple")
        return django_user_model.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def staff_client(user_factory) -> APIClient:
    """A client signed in to the admin as a superuser (session cookie, CSRF enforced)."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.hookimpl(trylast=True)  # after the conftest hooks that add xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Makes ``--dist loadgroup`` honour the ``xdist_group`` marks again: pytest-xdist 3.8 tags
    a grouped item by rewriting ``item._nodeid`` to ``<nodeid>@<group>``, which pytest 9.2 no
    longer reads (its node ids live in ``item._id``), so every group was spread over all the
    workers, each starting the group's servers and browser of its own."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers under loadgroup
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                 for mark in item.iter_markers("xdist_group")}
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")
    # The groups (servers, browsers, subprocesses: the slow tests) first, so that the workers
    # start them together and the quick tests fill in around them instead of one group
    # running alone at the end. xdist hands out larger groups first; ties keep this order.
    items.sort(key=lambda item: "@" not in item.nodeid)


def pytest_terminal_summary(terminalreporter):
    """Shows what tests recorded with ``record_property("schemathesis", text)`` (the API fuzz
    figures of tests/test_schemathesis.py) at the end of the run, from xdist workers too."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", ()):
            if name == "schemathesis" and report.when == "call":
                terminalreporter.write_sep("-", "schemathesis")
                terminalreporter.write_line(value)


@pytest.fixture(scope="module")
def asgi_server():
    """The example project served as `make run` serves it (uvicorn through agnost_serve) on
    this pass's stack, for the tests of one module: behaviour only the ASGI server shows."""
    from django.conf import settings

    from tests.interop.server import InteropServer

    server = InteropServer(settings.INTEROP_STACK)
    server.start()
    yield server
    server.stop()

