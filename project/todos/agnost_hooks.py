"""Exposes the demo model to the client as ``todos``: each signed-in user sees and changes
only their own todos.

Changes made through the data API are published to each owner's private realtime channel,
``private-user-<owner id>`` (which the default realtime adapter lets only that user, and staff,
join), as the events ``create``, ``update`` and ``delete`` with ``{"model": "todos", "ids":
[...]}``; the demo page reloads its list when it hears one. ``Resource.realtime_channel`` is
not used: it names one channel for every object, which would tell every listener about every
user's todos.
"""

from agnost_django import agnost
from agnost_django.data import Resource, signals, site
from project.todos.models import Todo


@site.register(Todo)
class TodoResource(Resource):
    name = "todos"
    owner_field = "owner"
    read_only_fields = ["created_at", "updated_at"]
    searchable_fields = ["title"]
    rules = {"read": "owner", "create": "signed_in", "update": "owner", "delete": "owner"}


def _publish(event: str, owner_ids, ids) -> None:
    # The data module sends its signals after the change has committed.
    message = {"model": TodoResource.name, "ids": [str(pk) for pk in ids]}
    for owner_id in {pk for pk in owner_ids if pk is not None}:
        agnost.realtime.send(f"private-user-{owner_id}", event, message)


def todos_created(sender, resource, objects=(), **kwargs) -> None:
    _publish("create", [todo.owner_id for todo in objects], [todo.pk for todo in objects])


def todos_updated(sender, resource, ids=(), **kwargs) -> None:
    owners = Todo.objects.filter(pk__in=ids).values_list("owner_id", flat=True)
    _publish("update", owners, ids)


def todos_deleted(sender, resource, ids=(), user=None, **kwargs) -> None:
    # The objects are gone, and with them their owner: the caller is the owner under the
    # "owner" delete rule (a staff member deleting someone's todo is not reported to them).
    _publish("delete", [getattr(user, "pk", None)], ids)


signals.object_created.connect(todos_created, sender=Todo, dispatch_uid="todos_realtime_created")
signals.object_updated.connect(todos_updated, sender=Todo, dispatch_uid="todos_realtime_updated")
signals.object_deleted.connect(todos_deleted, sender=Todo, dispatch_uid="todos_realtime_deleted")
