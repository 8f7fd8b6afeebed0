"""What one client call costs in SQL, for the calls of the peer benchmark (a signed-in user on
the example project's ``todos``): the client key and the session come from the cache, so the
statements are the operation's own. The tests run outside a test transaction, as the server
does, so that transaction statements (BEGIN, SAVEPOINT, COMMIT) count too."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from project.todos.models import Todo
from tests.data.conftest import query

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _operations_alone():
    """The example project's receivers (a realtime message per change, which reads the owners
    of updated todos) are the host's statements, not the operation's."""
    from agnost_django.data import signals
    from project.todos import agnost_hooks as hooks

    receivers = [(signals.object_created, hooks.todos_created, "todos_realtime_created"),
                 (signals.object_updated, hooks.todos_updated, "todos_realtime_updated"),
                 (signals.object_deleted, hooks.todos_deleted, "todos_realtime_deleted")]
    for signal, _receiver, uid in receivers:
        signal.disconnect(sender=Todo, dispatch_uid=uid)
    yield
    for signal, receiver, uid in receivers:
        signal.connect(receiver, sender=Todo, dispatch_uid=uid)


@pytest.fixture
def ada(client_factory_with_session):
    client, user = client_factory_with_session("ada@example.com")
    todos = Todo.objects.bulk_create(Todo(title=f"todo {n}", priority=n % 100, owner=user) for n in range(50))
    client.db("get-list", {"model": "todos", "query": query(limit=1)})  # key and session cached
    return client, todos


def statements(client, route, body) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.db(route, {"model": "todos", **body})
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries]


def test_get_is_one_select(ada):
    client, todos = ada
    sql = statements(client, "object/get", {"id": str(todos[0].pk), "options": {"cache": "nocache"}})
    assert len(sql) == 1 and sql[0].startswith("SELECT")


def test_list_with_count_is_two_selects(ada):
    client, _todos = ada
    body = {"query": query(expression="priority > 10", limit=20, sort=[{"field": "priority", "direction": "desc"}]),
            "returnCountInfo": True}
    assert [s.split()[0] for s in statements(client, "get-list", body)] == ["SELECT", "SELECT"]


def test_a_sort_on_a_column_that_cant_be_null_can_read_its_index(ada):
    """``ORDER BY id DESC NULLS LAST`` can't be read off an ascending index (the planner
    doesn't use NOT NULL to see that it changes nothing): every match would be sorted."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plan")
    client, _todos = ada
    body = {"query": query(expression="priority > 10", limit=20, sort=[{"field": "_id", "direction": "desc"}])}
    page_sql = statements(client, "get-list", body)[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # 50 rows: sorting them would win anyway
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward" in plan and "Sort" not in plan, plan


def test_a_page_and_its_count_are_sent_together_and_answer_as_apart(ada, settings):
    """On PostgreSQL the page and the count go in one round trip (psycopg's pipeline); the
    answer is the one the two queries give apart, the count's estimate past the cap too."""
    from agnost_django.data.query import page_and_count

    client, todos = ada
    owner = todos[0].owner
    for n in (10, 98, 200):
        body = {"query": query(expression=f"priority > {n}", limit=5, page=2,
                               sort=[{"field": "priority", "direction": "desc"}]), "returnCountInfo": True}
        answer = client.db("get-list", {"model": "todos", **body}).json()
        mine = Todo.objects.filter(owner=owner, priority__gt=n).order_by("-priority", "pk")
        assert [row["_id"] for row in answer["data"]] == [str(pk) for pk in mine.values_list("pk", flat=True)[5:10]]
        assert answer["info"]["count"] == mine.count()
    plain = Todo.objects.filter(owner=owner).order_by("pk")
    together = page_and_count(plain, 0, 3)
    if connection.vendor == "postgresql":
        assert [todo.pk for todo in together[0]] == [todo.pk for todo in plain[:3]] and together[1] == 50
    else:
        assert together is None  # SQLite: no round trip to save
    assert page_and_count(plain.annotate(twice=F("priority") * 2), 0, 3) is None  # more than its columns
    assert page_and_count(plain.select_related("owner"), 0, 3) is None
    settings.AGNOST_DATA_EXACT_COUNT_CAP = 5
    answer = client.db("get-list", {"model": "todos", "query": query(limit=2), "returnCountInfo": True}).json()
    assert answer["info"]["count"] >= 6 and len(answer["data"]) == 2  # exact up to 5, then estimated


def test_the_count_built_from_the_page_counts_what_the_orm_counts(ada):
    """The count sent with a page is built from the page's own FROM and WHERE when it reads
    one table; across a join it is compiled apart. Either way it is the ORM's count."""
    if connection.vendor != "postgresql":
        pytest.skip("pages and counts are sent together on PostgreSQL only")
    from django.db.models import Q

    from agnost_django.data.query import _count_of_page, page_and_count

    client, todos = ada
    owner = todos[0].owner
    one_table = [
        Todo.objects.all(),
        Todo.objects.filter(owner=owner, priority__gt=20),
        Todo.objects.filter(Q(priority__lt=5) | ~Q(title__contains="1"), owner=owner),
        Todo.objects.filter(priority__lt=10**6),  # past the column's range: no condition at all
    ]
    def compiled(page):
        compiler = page[0:5].query.get_compiler(page.db)
        compiler.as_sql()
        return compiler

    for queryset in one_table:
        page = queryset.order_by("-priority", "pk")
        assert _count_of_page(compiled(page)) is not None
        rows, count = page_and_count(page, 0, 5)
        assert count == queryset.count() and [r.pk for r in rows] == [t.pk for t in page[:5]]
    joined = Todo.objects.filter(owner__username=owner.username).order_by("pk")
    assert _count_of_page(compiled(joined)) is None
    assert page_and_count(joined, 0, 5)[1] == joined.count() == 50
    for expression, count in (("priority > 1000000", 0), ("priority < 1000000", 50)):
        body = {"query": query(expression=expression, limit=5), "returnCountInfo": True}
        answer = client.db("get-list", {"model": "todos", **body}).json()
        assert answer["info"]["count"] == count and len(answer["data"]) == min(count, 5)


def test_increment_is_one_update_returning_the_object(ada):
    client, todos = ada
    todo = todos[7]
    body = {"id": str(todo.pk), "options": {},
            "updates": [{"field": "priority", "updateType": "increment", "value": 5}]}
    sql = statements(client, "object/update-fields", body)
    assert len(sql) == 1 and sql[0].startswith("UPDATE") and "RETURNING" in sql[0]
    answer = client.db("object/update-fields", {"model": "todos", **body}).json()
    todo.refresh_from_db()
    assert todo.priority == 17
    assert answer == client.db("object/get", {"model": "todos", "id": str(todo.pk)}).json()
    missing = {**body, "id": "999999"}
    assert client.db("object/update-fields", {"model": "todos", **missing}).json() is None


def test_create_is_one_insert(ada):
    client, _todos = ada
    sql = statements(client, "create", {"values": {"title": "new", "priority": 3}, "query": query()})
    assert [s.split()[0] for s in sql] == ["INSERT"]
    assert "RETURNING" in sql[0] or connection.vendor not in ("postgresql", "sqlite")


def test_a_batch_is_one_transaction(ada):
    client, _todos = ada
    sql = statements(client, "create", {"values": [{"title": "a"}, {"title": "b"}], "query": query()})
    assert [s.split()[0] for s in sql] == ["BEGIN", "INSERT", "INSERT", "COMMIT"]
