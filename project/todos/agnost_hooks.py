"""Exposes the demo model to the client as ``todos``: each signed-in user sees and changes
only their own todos."""

from agnost_django.data import Resource, site
from project.todos.models import Todo


@site.register(Todo)
class TodoResource(Resource):
    name = "todos"
    owner_field = "owner"
    read_only_fields = ["created_at", "updated_at"]
    searchable_fields = ["title"]
    rules = {"read": "owner", "create": "signed_in", "update": "owner", "delete": "owner"}
