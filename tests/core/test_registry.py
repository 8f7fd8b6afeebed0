from __future__ import annotations

import pytest

from agnost_django.core.registry import AlreadyRegistered, NotRegistered, Registry, autodiscover
from tests.hookapps.registries import handlers, others


def test_register_forms():
    registry = Registry("thing")

    @registry.register
    def bare():
        return 1

    @registry.register("named", retries=3)
    def decorated():
        return 2

    registry.register("called", len)
    assert registry.names() == ["bare", "called", "named"]
    assert registry.get("named").obj is decorated
    assert registry.get("named").retries == 3
    assert "bare" in registry and "missing" not in registry
    assert [entry.name for entry in registry] == ["bare", "named", "called"]
    assert len(registry) == 3


def test_duplicates_and_unknown_names():
    registry = Registry("queue")
    registry.register("emails", print)
    with pytest.raises(AlreadyRegistered, match="queue 'emails' is already registered"):
        registry.register("emails", print)
    with pytest.raises(NotRegistered, match="queue 'sms' is not registered"):
        registry.get("sms")
    with pytest.raises(NotRegistered):
        registry.unregister("sms")
    registry.unregister("emails")
    assert "emails" not in registry


def test_temporarily():
    registry = Registry("task")
    with registry.temporarily("report", print, cron="* * * * *"):
        assert registry.get("report").cron == "* * * * *"
    assert "report" not in registry


def test_autodiscover_imports_hooks_and_restores_on_failure():
    autodiscover(["tests.hookapps", "tests.hookapps.good"])  # the first has no hooks module
    assert handlers.get("greet").obj("you") == "hello you"

    before = (handlers.names(), others.names())
    with pytest.raises(AlreadyRegistered):
        autodiscover(["tests.hookapps.good", "tests.hookapps.broken"])
    # The failed module's partial registrations were rolled back.
    assert (handlers.names(), others.names()) == before
