"""How a host exposes one of its models to the client: a :class:`Resource`, registered
like a ``ModelAdmin``::

    # myapp/agnost_hooks.py
    from agnost_django.data import Resource, site

    @site.register(Todo)
    class TodoResource(Resource):
        name = "todos"
        owner_field = "owner"
        rules = {"read": "owner", "create": "signed_in", "update": "owner", "delete": "owner"}
        searchable_fields = ["title"]

Access rules per operation (``read``, ``create``, ``update``, ``delete``): ``"anyone"``,
``"signed_in"``, ``"owner"`` (objects whose ``owner_field`` is the caller; creation sets it),
``"staff"``, or a callable ``rule(user) -> bool | Q`` (a ``Q`` narrows the objects). An
operation without a rule is ``"staff"``: nothing is open unless the host opens it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Q

from agnost_django.core.callers import require_session
from agnost_django.data import exceptions

RULE_NAMES = ("anyone", "signed_in", "owner", "staff")


class _System:
    """The caller of server code that asked to bypass access rules."""

    is_authenticated = True
    is_staff = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
OPERATIONS = ("read", "create", "update", "delete")


class Resource:
    model: type[models.Model]
    #: The client's model name; default: the model's ``model_name``.
    name: str | None = None
    #: Readable field names; ``None``: every concrete field but ``hidden_fields``.
    fields: list[str] | None = None
    #: Readable but never written by clients (the primary key, the owner field and
    #: auto_now/auto_now_add fields are read-only anyway).
    read_only_fields: list[str] = []
    #: Never read, written, filtered or sorted on.
    hidden_fields: list[str] = []
    owner_field: str | None = None
    searchable_fields: list[str] = []
    rules: dict[str, Any] = {}
    #: ``DATABASES`` alias the objects live in.
    database: str = "default"
    #: Realtime channel that hears of changes made through the data API (events ``create``
    #: with the objects, ``update`` and ``delete`` with their ids), after commit; ``None``: off.
    realtime_channel: str | None = None
    #: Client sub-model name -> reverse relation accessor (``{"reviews": "reviews"}``);
    #: the related model must be registered too.
    sub_models: dict[str, str] = {}

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.name = self.name or model._meta.model_name

    # Fields ---------------------------------------------------------------------------

    def readable_fields(self) -> list[models.Field]:
        return list(self._readable.values())

    @cached_property
    def _readable(self) -> dict[str, models.Field]:
        # Computed once per registration: serialising and resolving ask for it per object.
        hidden = set(self.hidden_fields)
        concrete = [f for f in self.model._meta.concrete_fields if f.name not in hidden]
        if self.fields is not None:
            allowed = set(self.fields) | {self.model._meta.pk.name}
            concrete = [f for f in concrete if f.name in allowed]
        return {f.name: f for f in concrete}

    def field(self, name: str) -> models.Field:
        """The readable field called ``name`` (``_id`` is the primary key)."""
        if name == "_id":
            return self.model._meta.pk
        try:
            return self._readable[name]
        except (KeyError, TypeError):
            raise exceptions.InvalidField(f"{self.name} has no field {name!r}.", details={"field": str(name)}) from None

    def writable_field(self, name: str, *, creating: bool) -> models.Field:
        field = self.field(name)
        read_only = (
            name in self.read_only_fields
            or name == self.owner_field
            or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)
            or (field.primary_key and not creating)
        )
        if read_only:
            raise exceptions.InvalidField(f"{name!r} cannot be set.", details={"field": name})
        return field

    # Access ---------------------------------------------------------------------------

    def rule(self, operation: str) -> Any:
        return self.rules.get(operation, "staff")

    def queryset(self, operation: str, user: Any) -> models.QuerySet:
        """The objects on the resource's database that ``user`` may ``operation``."""
        return self.scope(operation, self.model._default_manager.using(self.database).all(), user)

    def scope(self, operation: str, queryset: models.QuerySet, user: Any) -> models.QuerySet:
        """``queryset`` narrowed to what ``user`` may ``operation``; raises when nothing is."""
        narrowing = self.access(operation, user)
        return queryset if narrowing is None else queryset.filter(narrowing)

    def narrows_by_access(self) -> bool:
        """Whether the objects a caller may reach are :meth:`access`'s alone (the resource
        keeps ``Resource``'s own ``queryset`` and ``scope``)."""
        kind = type(self)
        return kind.queryset is Resource.queryset and kind.scope is Resource.scope

    def access(self, operation: str, user: Any) -> Q | None:
        """What ``user`` may ``operation``: ``None`` for every object, else a ``Q`` of the
        objects; raises when nothing is."""
        if user is SYSTEM:
            return None
        rule = self.rule(operation)
        signed_in = bool(user is not None and user.is_authenticated)
        if rule == "anyone":
            return None
        if rule == "signed_in":
            require_session(signed_in)
            return None
        if rule == "owner":
            require_session(signed_in)
            return Q(**{self.owner_field: user})
        if rule == "staff":
            if signed_in and user.is_staff:
                return None
            require_session(signed_in)
            raise exceptions.AccessDenied()
        if callable(rule):
            verdict = rule(user)
            if isinstance(verdict, Q):
                return verdict
            if verdict:
                return None
            raise exceptions.AccessDenied()
        raise exceptions.AccessDenied()
