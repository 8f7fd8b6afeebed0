"""Access rules (anyone / signed-in / owner / staff / callable), signals after commit, and
the server library."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Q

from agnost_django import agnost
from agnost_django.data import signals
from project.todos.models import Todo
from tests.core.test_errors import only_error
from tests.data.conftest import API, query


def test_owner_rules_on_the_demo_todos(client_factory_with_session):
    alice, alice_user = client_factory_with_session("alice@example.com")
    bob, _bob_user = client_factory_with_session("bob@example.com")
    created = alice.post(f"{API}/create", {"model": "todos", "values": {"title": "milk", "owner": "999"}}, format="json")
    only_error(created, 400, "invalid_field")  # the owner is set by the server, never by clients
    created = alice.post(f"{API}/create", {"model": "todos", "values": {"title": "milk"}}, format="json").json()
    assert created["owner"] == str(alice_user.pk)
    assert bob.post(f"{API}/get-list", {"model": "todos", "query": query()}, format="json").json() == []
    assert bob.post(f"{API}/object/get", {"model": "todos", "id": created["_id"]}, format="json").json() is None
    result = bob.post(f"{API}/delete", {"model": "todos", "query": query()}, format="json").json()
    assert result == {"totalMatch": 0, "deleted": 0}
    assert [t["title"] for t in alice.post(f"{API}/get-list", {"model": "todos", "query": query()}, format="json").json()] == ["milk"]


def test_signed_in_rules_need_a_session(dc):
    response = dc.post(f"{API}/get-list", {"model": "todos", "query": query()}, format="json")
    only_error(response, 401, "missing_session_token")
    # A session that was sent but is not valid (revoked, expired, made up) says so.
    response = dc.post(f"{API}/get-list", {"model": "todos", "query": query()}, format="json", HTTP_SESSION="made-up")
    only_error(response, 401, "invalid_session_token")


def only_tools(user):
    return Q(code="T")


def test_staff_default_and_callable_rules(dc, catalog):
    from agnost_django.data import site
    from tests.dataapp.models import Category

    site.unregister("categories")
    with site.temporarily(Category, name="categories"):  # no rules: staff only
        only_error(dc.post(f"{API}/get-list", {"model": "categories", "query": query()}, format="json"), 401, "missing_session_token")
    with site.temporarily(Category, name="categories", rules={"read": only_tools}):
        rows = dc.post(f"{API}/get-list", {"model": "categories", "query": query()}, format="json").json()
        assert [r["code"] for r in rows] == ["T"]
        only_error(dc.post(f"{API}/create", {"model": "categories", "values": {"name": "x", "code": "x"}}, format="json"), 401, "missing_session_token")


def test_signals_are_sent_after_commit(dc, catalog, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender.__name__, sorted(kwargs)))

    signals.object_created.connect(receiver)
    signals.object_updated.connect(receiver)
    signals.object_deleted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            created = dc.post(f"{API}/create", {"model": "categories", "values": {"name": "n", "code": "N"}}, format="json").json()
            dc.post(f"{API}/object/update", {"model": "categories", "id": created["_id"], "values": {"name": "m"}}, format="json")
            dc.post(f"{API}/object/delete", {"model": "categories", "id": created["_id"]}, format="json")
    finally:
        for signal in (signals.object_created, signals.object_updated, signals.object_deleted):
            signal.disconnect(receiver)
    assert [name for name, _kwargs in received] == ["Category", "Category", "Category"]
    assert received[0][1] == ["objects", "resource", "signal", "user"]


def test_facade(catalog, user_factory):
    products = agnost.db().model("products")
    assert products.find_many("quantity > 100", sort={"name": "asc"}).data[0]["name"] == "hammer"
    assert products.count("in_stock == true").data == 3
    created = products.create_one({"name": "glue", "quantity": 2}).unwrap()
    assert products.find_by_id(created["_id"]).data["name"] == "glue"
    assert products.update_fields_by_id(created["_id"], [{"field": "quantity", "updateType": "increment", "value": 3}]).data["quantity"] == 5
    assert products.delete_many("name == 'glue'").data == {"totalMatch": 1, "deleted": 1}
    assert products.aggregate([{"name": "n", "type": "count"}]).data == [{"n": 4}]
    bad = products.find_many("quantity >")
    assert bad.errors.items[0].code == "invalid_expression"
    assert agnost.db().model("nope").find_many().errors.items[0].code == "model_not_found"
    assert agnost.db("nope").model("products").find_many().errors.items[0].code == "database_not_found"
    # Rules apply unless bypassed explicitly.
    todos = agnost.db().model("todos")
    assert todos.find_many().errors.items[0].code == "missing_session_token"
    owner = user_factory()
    Todo.objects.create(title="t", owner=owner)
    assert len(agnost.db().model("todos", user=owner).find_many().data) == 1
    assert len(agnost.db().model("todos", bypass_rules=True).find_many().data) == 1


def test_transaction_context_manager(catalog):
    db = agnost.db()
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.model("products").create_one({"name": "temp"})
            raise RuntimeError("roll back")
    assert db.model("products").count("name == 'temp'").data == 0
    with transaction.atomic():
        pass
