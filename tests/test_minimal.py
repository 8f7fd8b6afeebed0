"""Behaviour that must hold whatever agnost modules are installed (run again with
``--ds=tests.settings_minimal`` by ``make test``, where only core is)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from agnost_django import agnost

pytestmark = pytest.mark.minimal


@pytest.mark.django_db  # Django 6 runs database checks too
def test_check_is_clean():
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_only_installed_modules_are_mounted(agnost_client):
    body = agnost_client.get("/_api/rest/v1").json()
    assert ("cache" in body) == apps.is_installed("agnost_django.cache")
    status = agnost_client.get("/_api/rest/v1/cache/stats").status_code
    assert status == (200 if apps.is_installed("agnost_django.cache") else 404)


def test_cache_accessor_follows_installation():
    result = agnost.cache().set_key_value("k", 1)
    if apps.is_installed("agnost_django.cache"):
        assert result.ok
    else:
        assert result.errors.items[0].code == "module_not_installed"


def test_client_key_command_works(db):
    out = StringIO()
    call_command("agnost_create_client_key", "minimal", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("agk_")


@pytest.mark.parametrize(("app", "call"), [
    ("agnost_django.storage", lambda: agnost.storage().bucket("avatars").file("a.png").get_info()),
    ("agnost_django.queues", lambda: agnost.queue("emails").send({"to": "x"})),
    ("agnost_django.schedules", lambda: agnost.task("report").run()),
    ("agnost_django.functions", lambda: agnost.func("helper").run(1)),
    ("agnost_django.functions", lambda: agnost.endpoint("e").url()),
    ("agnost_django.realtime", lambda: agnost.realtime.broadcast("event", {})),
])
def test_modules_not_installed_answer_a_clear_result(app, call, db):
    result = call()
    if apps.is_installed(app):
        assert result.errors is None or result.errors.items[0].code != "module_not_installed"
        return
    assert not result
    (item,) = result.errors.items
    assert item.code == "module_not_installed" and item.origin == "server_error"
    assert "INSTALLED_APPS" in item.message and result.errors.status == 501
