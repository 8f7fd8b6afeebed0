"""Calls on one object by id run statements compiled once per resource (``data.statements``):
they must answer exactly as the ORM does, keep each caller's owner rule, and stand aside for
what can change the SQL (a resource's own queryset, a default manager that filters)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, models
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from agnost_django.data import Resource, site, statements
from tests.data.conftest import DataClient
from tests.dataapp.models import Note, Product

ANYONE = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}


class AskedResource(Resource):
    """The same rules, through an overridden ``queryset``: the ORM path, the reference."""

    def queryset(self, operation, user):
        return super().queryset(operation, user)


def get(client, model, pk):
    response = client.db("object/get", {"model": model, "id": str(pk)})
    assert response.status_code == 200, response.content
    return response.json()


def update_fields(client, model, pk, *updates):
    response = client.db("object/update-fields", {"model": model, "id": str(pk), "updates": list(updates)})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_compiled_get_answers_as_the_orm_does(dc, catalog):
    """Every field type of Product (decimal, float, JSON, dates, references, nulls) read
    through the compiled statement and through the ORM."""
    with site.temporarily(Product, name="compiled", rules=ANYONE, hidden_fields=["secret"]), \
            site.temporarily(Product, AskedResource, name="asked", rules=ANYONE, hidden_fields=["secret"]):
        for product in catalog["products"]:
            compiled = get(dc, "compiled", product.pk)
            assert compiled == get(dc, "asked", product.pk)
            assert compiled["_id"] == str(product.pk) and compiled["price"] == float(product.price)
        assert get(dc, "compiled", 10**6) is None
        missing = dc.db("object/get", {"model": "compiled", "id": "not-a-number"})
        assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == "invalid_id_value"


def test_compiled_update_fields_answer_as_the_orm_does(dc, catalog):
    """Two equal products, one changed through the compiled statement, one through the ORM."""
    saw = catalog["products"][2]
    twins = [Product.objects.create(name=saw.name, quantity=saw.quantity, price=saw.price, weight=None,
                                    category=saw.category, tags=["wood"]) for _twin in range(2)]
    steps = [
        [{"field": "quantity", "updateType": "increment", "value": 5}],
        [{"field": "quantity", "updateType": "decrement", "value": 2}, {"field": "name", "updateType": "set", "value": "saw 2"}],
        [{"field": "price", "updateType": "multiply", "value": 2}],
        [{"field": "weight", "updateType": "max", "value": 3.5}],  # weight is null: max takes the value
        [{"field": "weight", "updateType": "min", "value": 1.25}],
        [{"field": "quantity", "updateType": "divide", "value": 2}],
        [{"field": "category", "updateType": "set", "value": str(catalog["toys"].pk)}],
        [{"field": "weight", "updateType": "unset"}],
        [{"field": "released_at", "updateType": "set", "value": "2023-01-02T03:04:05.678Z"},
         {"field": "release_date", "updateType": "set", "value": "2023-01-02"}],
        [{"field": "tags", "updateType": "set", "value": ["saw", {"teeth": 40}]}],
        [{"field": "tags", "updateType": "push", "value": "sharp"}],  # a list update: the ORM's own SQL
    ]
    with site.temporarily(Product, name="compiled", rules=ANYONE, hidden_fields=["secret"]), \
            site.temporarily(Product, AskedResource, name="asked", rules=ANYONE, hidden_fields=["secret"]):
        for updates in steps:
            answers = [update_fields(dc, model, twin.pk, *updates) for model, twin in zip(("compiled", "asked"), twins)]
            for answer in answers:
                del answer["_id"], answer["updated_at"], answer["created_at"]
            assert answers[0] == answers[1], updates
        assert update_fields(dc, "compiled", 10**6, {"field": "quantity", "updateType": "increment", "value": 1}) is None
    compiled = Product.objects.get(pk=twins[0].pk)
    assert (compiled.quantity, compiled.price, compiled.weight, compiled.name, compiled.category, compiled.tags) == \
        (61, Decimal("50.00"), None, "saw 2", catalog["toys"], ["saw", {"teeth": 40}, "sharp"])


def test_the_owner_rule_holds_for_each_caller(client_factory_with_session, catalog):
    """One statement serves every caller; the owner is each call's own."""
    ada, ada_user = client_factory_with_session("ada@example.com")
    bob, bob_user = client_factory_with_session("bob@example.com")
    hammer, ball = catalog["products"][0], catalog["products"][1]
    Product.objects.filter(pk=hammer.pk).update(owner=ada_user)
    Product.objects.filter(pk=ball.pk).update(owner=bob_user)
    owner_rules = {"read": "owner", "update": "owner"}
    with site.temporarily(Product, name="mine", rules=owner_rules, owner_field="owner", hidden_fields=["secret"]):
        for _round in range(2):
            assert get(ada, "mine", hammer.pk)["name"] == "hammer"
            assert get(bob, "mine", hammer.pk) is None
            assert get(bob, "mine", ball.pk)["name"] == "ball"
            assert get(ada, "mine", ball.pk) is None
        increment = {"field": "quantity", "updateType": "increment", "value": 1}
        assert update_fields(bob, "mine", hammer.pk, increment) is None
        assert update_fields(ada, "mine", hammer.pk, increment)["quantity"] == 151
        anonymous = DataClient().db("object/get", {"model": "mine", "id": str(hammer.pk)})
        assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["code"] == "missing_session_token"
    hammer.refresh_from_db()
    assert hammer.quantity == 151


def test_a_resource_queryset_and_a_filtering_manager_are_kept(dc, catalog):
    class InStockOnly(Resource):
        def queryset(self, operation, user):
            return super().queryset(operation, user).filter(in_stock=True)

    saw = catalog["products"][2]  # not in stock
    with site.temporarily(Product, InStockOnly, name="stocked", rules=ANYONE):
        assert get(dc, "stocked", saw.pk) is None
        assert update_fields(dc, "stocked", saw.pk, {"field": "quantity", "updateType": "increment", "value": 1}) is None
    shown, archived = Note.objects.create(text="shown"), Note.everything.create(text="old", archived=True)
    assert get(dc, "notes", shown.pk)["text"] == "shown"
    assert get(dc, "notes", archived.pk) is None
    assert update_fields(dc, "notes", archived.pk, {"field": "text", "updateType": "set", "value": "x"}) is None
    archived.refresh_from_db()
    assert archived.text == "old"


def create(client, model, values):
    response = client.db("create", {"model": model, "values": values})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_compiled_create_saves_as_save_does(dc, catalog):
    """One object created by the compiled INSERT and its twin by ``save()`` (a ``pre_save``
    receiver makes the services call it): the same row, ``auto_now_add`` included."""
    values = {"name": "plane", "description": "wooden", "quantity": 3, "price": 12.5, "weight": 0.75,
              "in_stock": False, "tags": ["wood", {"wings": 2}], "category": str(catalog["toys"].pk),
              "released_at": "2023-01-02T03:04:05.678Z", "release_date": "2023-01-02"}
    saved_by_save = []

    def receiver(sender, instance, **kwargs):
        saved_by_save.append(instance)

    with site.temporarily(Product, name="compiled", rules=ANYONE, hidden_fields=["secret"]):
        statements._compiled.clear()
        with CaptureQueriesContext(connection) as queries:
            compiled = create(dc, "compiled", values)
        assert [q["sql"].split()[0] for q in queries.captured_queries].count("INSERT") == 1
        assert statements._compiled.get(("insert", Product, "default"))  # the statement did it
        pre_save.connect(receiver, sender=Product)
        try:
            reference = create(dc, "compiled", values)
        finally:
            pre_save.disconnect(receiver, sender=Product)
    assert len(saved_by_save) == 1 and str(saved_by_save[0].pk) == reference["_id"]
    rows = [Product.objects.get(pk=answer["_id"]) for answer in (compiled, reference)]
    fields = [field.attname for field in Product._meta.concrete_fields if field.attname not in ("id", "created_at", "updated_at")]
    assert [getattr(rows[0], name) for name in fields] == [getattr(rows[1], name) for name in fields]
    assert rows[0].created_at is not None and rows[0].updated_at is not None
    for answer in (compiled, reference):
        del answer["_id"], answer["created_at"], answer["updated_at"]
    assert compiled == reference
    assert rows[0].price == Decimal("12.50") and rows[0].tags == ["wood", {"wings": 2}]


def test_a_model_that_saves_its_own_way_is_saved_by_its_save(dc, monkeypatch):
    """A host model overriding ``save()`` (here: filling in a description) keeps it."""
    def save(self, *args, **kwargs):
        self.description = self.description or "described by save()"
        models.Model.save(self, *args, **kwargs)

    monkeypatch.setattr(Product, "save", save)
    with site.temporarily(Product, name="compiled", rules=ANYONE, hidden_fields=["secret"]):
        assert create(dc, "compiled", {"name": "glider"})["description"] == "described by save()"


def _loaded(model, pks, rows=None):
    """The rows of ``pks`` as the compiled statements load them (or ``rows``, a
    ``statements.Rows`` of ``model``), by primary key."""
    names = [field.column for field in model._meta.concrete_fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(n) for n in names)} FROM {table} "
                       f"WHERE {connection.ops.quote_name(model._meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
                       list(pks))
        found = cursor.fetchall()
    return {obj.pk: obj for obj in (rows or statements.rows("default", model)).objects(found)}


def test_loaded_instances_are_the_orms(catalog):
    """Made without Model.__init__ (no init listener, plain descriptors), an instance holds
    what the ORM's does: every field's value (converted), a loaded state, its references."""
    assert statements.rows("default", Product).plain
    products = catalog["products"]
    loaded = _loaded(Product, [product.pk for product in products])
    for product in products:
        orm, ours = Product.objects.get(pk=product.pk), loaded[product.pk]
        assert type(ours) is Product
        assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
            k: v for k, v in vars(orm).items() if k != "_state"}
        assert (ours._state.adding, ours._state.db) == (False, "default")
        assert ours.category == orm.category and str(ours) == str(orm)
        ours.quantity += 1  # a loaded instance saves as an update
        ours.save(update_fields=["quantity"])
        assert Product.objects.get(pk=product.pk).quantity == orm.quantity + 1


def test_init_listeners_still_hear_every_loaded_object(dc, catalog):
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance.pk)

    models.signals.post_init.connect(listener, sender=Product)
    try:
        with site.temporarily(Product, name="compiled", rules=ANYONE, hidden_fields=["secret"]):
            response = dc.db("get-list", {"model": "compiled", "query": {"sort": [{"field": "_id", "direction": "asc"}]}})
    finally:
        models.signals.post_init.disconnect(listener, sender=Product)
    assert response.status_code == 200, response.content
    listed = [int(item["_id"]) for item in response.json()]
    assert listed and heard[-len(listed):] == listed


def test_a_model_whose_init_does_more_is_made_by_from_db(db, monkeypatch):
    own_init = Product.__init__

    def counting_init(self, *args, **kwargs):
        own_init(self, *args, **kwargs)
        self.counted = True

    monkeypatch.setattr(Product, "__init__", counting_init)
    rows = statements.Rows("default", Product)
    assert not rows.plain
    product = Product.objects.create(name="counted")
    loaded = _loaded(Product, [product.pk], rows)[product.pk]
    assert loaded.counted and loaded.pk == product.pk
