"""Compiled statements: the SQL of the calls on one object by id, compiled once.

Django compiles a queryset into SQL every time it runs one; for a ``get`` by id that is
about half of the service's time. A :class:`Statement` is such a query compiled once per
resource and shape, with a :class:`Hole` where each call's own values go (the id, the
owner, an update's values). Running it fills the holes in, executes the SQL through the
connection's cursor (so query logging and ``execute_wrapper`` still see it) and builds the
model instances as Django's ``ModelIterable`` does (the fields' converters, then
``Model.from_db``, which sends ``post_init``).

A statement is used only where the SQL can depend on nothing but its holes: the resource
keeps ``Resource``'s own ``queryset``/``scope``/``access``, its rule for the operation is
``anyone``, ``signed_in``, ``staff`` or ``owner`` (a callable rule may answer anything), the
model's default manager is a plain ``Manager`` of ``QuerySet`` (a custom one may filter on
request state, such as the current tenant), and the model has no multi-table parents.
Everywhere else the services run the ORM as before; an update there still answers the changed
object in one ``UPDATE ... RETURNING`` (:func:`update_once`, PostgreSQL and SQLite 3.35+:
Django's ``QuerySet.update()`` answers only a count).
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Callable
from typing import Any

from django.db import connections, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.expressions import Expression
from django.db.models.fields import NOT_PROVIDED
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.manager import BaseManager
from django.db.models.sql.subqueries import UpdateQuery

from agnost_django.data.resources import SYSTEM, Resource

_compiled: dict[tuple, Any] = {}  # statements, row decoders, inserts (False: none fits)


class Hole(Expression):
    """A parameter of a compiled statement, filled in by name on each run."""

    def __init__(self, name: str, output_field: models.Field) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.for_save = False

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = super().resolve_expression(query, allow_joins, reuse, summarize, for_save)
        resolved.for_save = for_save  # in an UPDATE's SET: the field's save preparation
        return resolved

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def prepare(self, value: Any, connection) -> Any:
        field = self.output_field
        if self.for_save:
            return field.get_db_prep_save(value, connection=connection)
        return field.get_db_prep_value(value, connection, prepared=False)


def _converters(field: models.Field, connection) -> tuple[Expression, list]:
    """``field``'s column and the converters Django applies to a value loaded from it (the
    backend's, then the field's: dates on SQLite, JSON, decimals)."""
    column = field.get_col(field.model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)


class Rows:
    """Rows of ``model``'s concrete columns made into instances as ``ModelIterable`` does: the
    fields' converters, then ``Model.from_db`` (which sends ``pre_init`` and ``post_init``).

    Where that amounts to filling the instance's ``__dict__`` (the model keeps ``Model``'s own
    ``__init__`` and ``from_db``, no field's attribute is a descriptor that does more than
    store the value, and nobody listens to ``pre_init`` or ``post_init`` for the model), the
    instances are made so: a quarter of the time of a 20-row page."""

    def __init__(self, alias: str, model: type[models.Model]) -> None:
        self.alias, self.model = alias, model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        connection = connections[alias]
        self.converters = []
        for index, field in enumerate(fields):
            column, found = _converters(field, connection)
            if found:
                self.converters.append((index, column, found))
        self.plain = _plain_init(model)

    def objects(self, rows) -> list[models.Model]:
        connection = connections[self.alias]
        model, names = self.model, self.names
        plain = (self.plain and not signals.pre_init.has_listeners(model)
                 and not signals.post_init.has_listeners(model))
        objects = []
        for row in rows:
            if self.converters:
                row = list(row)
                for index, column, converters in self.converters:
                    for converter in converters:
                        row[index] = converter(row[index], column, connection)
            if plain:
                obj = model.__new__(model)
                state = obj.__dict__["_state"] = ModelState()
                state.adding, state.db = False, self.alias
                obj.__dict__.update(zip(names, row))
            else:
                obj = model.from_db(self.alias, names, row)
            objects.append(obj)
        return objects


def _plain_init(model: type[models.Model]) -> bool:
    """Whether ``model.from_db`` with every concrete column only sets the instance's state
    and its fields' attributes (see :class:`Rows`)."""
    if model.__init__ is not models.Model.__init__ or model.from_db.__func__ is not models.Model.from_db.__func__:
        return False
    for field in model._meta.concrete_fields:
        attribute = inspect.getattr_static(model, field.attname, None)
        if hasattr(attribute, "__set__") and type(attribute) not in _STORING_DESCRIPTORS:
            return False
    return True


# Descriptors whose __set__ on an instance being made only stores the value in its __dict__.
_STORING_DESCRIPTORS = (ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


def rows(alias: str, model: type[models.Model]) -> Rows:
    return _statement(("rows", model, alias), lambda: Rows(alias, model))


class Statement:
    """SQL returning rows of ``model``'s concrete fields, with holes among its parameters."""

    def __init__(self, alias: str, sql: str, params, model: type[models.Model]) -> None:
        self.alias, self.sql = alias, sql
        self.params = list(params)
        self.holes = [(index, param) for index, param in enumerate(self.params) if isinstance(param, Hole)]
        self.rows = rows(alias, model)

    def run(self, **values: Any) -> list[models.Model]:
        connection = connections[self.alias]
        params = self.params.copy()
        for index, hole in self.holes:
            params[index] = hole.prepare(values[hole.name], connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return self.rows.objects(cursor.fetchall())


def supported(alias: str) -> bool:
    """Whether the database answers ``UPDATE ... RETURNING``."""
    vendor = connections[alias].vendor
    return vendor == "postgresql" or (vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def update_sql(queryset: models.QuerySet, changes: dict[str, Any]) -> tuple[str, list]:
    """``UPDATE ... RETURNING`` every concrete column of the rows ``queryset`` matches, with
    ``changes`` (values or expressions, as for ``update()``)."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(changes)
    sql, params = query.get_compiler(queryset.db).as_sql()
    quote = connections[queryset.db].ops.quote_name
    columns = ", ".join(quote(field.column) for field in queryset.model._meta.concrete_fields)
    return f"{sql} RETURNING {columns}", params


def update_once(queryset: models.QuerySet, changes: dict[str, Any]) -> models.Model | None:
    """Apply ``changes`` to the one row ``queryset`` matches and return it as saved, or
    ``None`` when nothing matched (compiled for this call only)."""
    rows = Statement(queryset.db, *update_sql(queryset, changes), queryset.model).run()
    return rows[0] if rows else None


class Insert:
    """``INSERT ... RETURNING`` the primary key, of every local column but the auto id."""

    def __init__(self, alias: str, model: type[models.Model]) -> None:
        meta = model._meta
        self.alias, self.pk = alias, meta.pk
        self.fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        quote = connections[alias].ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        holes = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({holes}) RETURNING {quote(self.pk.column)}"
        self.column, self.converters = _converters(self.pk, connections[alias])

    def run(self, obj: models.Model) -> None:
        """Save the new ``obj`` as ``save()`` does once nothing hooks in: the fields' own
        ``pre_save`` (``auto_now_add``, a file's upload), their save preparation, the id set."""
        connection = connections[self.alias]
        obj._prepare_related_fields_for_save(operation_name="save")
        params = [field.get_db_prep_save(field.pre_save(obj, True), connection=connection) for field in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            pk = cursor.fetchone()[0]
        for converter in self.converters:
            pk = converter(pk, self.column, connection)
        setattr(obj, self.pk.attname, pk)
        obj._state.adding, obj._state.db = False, self.alias


_SAVING = ("save", "save_base", "_save_table", "_do_insert")


def _plain_table(model: type[models.Model]) -> bool:
    """Whether a new ``model``'s row is one INSERT of its fields' values: one table, an auto
    id, no database defaults or generated columns, nothing else returned."""
    meta = model._meta
    return (not meta.parents and not meta.proxy and meta.auto_field is meta.pk
            and type(model._base_manager) is models.Manager
            and meta.db_returning_fields == [meta.pk]
            and all(field.db_default is NOT_PROVIDED and not field.generated
                    and not hasattr(field, "get_placeholder") for field in meta.local_concrete_fields)
            and len(meta.local_concrete_fields) > 1)


def insert(resource: Resource, obj: models.Model) -> Callable[[], None] | None:
    """``run()``: save the new, validated ``obj`` with one compiled ``INSERT ... RETURNING``;
    ``None`` when ``save()`` must run (a model that saves its own way, a ``pre_save`` or
    ``post_save`` receiver, an id given, a database without ``RETURNING``)."""
    model, alias = resource.model, resource.database
    hooked = (signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
              or any(getattr(model, name) is not getattr(models.Model, name) for name in _SAVING))
    if obj.pk is not None or hooked or not supported(alias) or any(
            hasattr(value, "resolve_expression") for value in obj.__dict__.values()):  # SQL as a value
        return None
    statement = _statement(("insert", model, alias), lambda: Insert(alias, model) if _plain_table(model) else False)
    return (lambda: statement.run(obj)) if statement else None


def _compilable(resource: Resource) -> bool:
    model = resource.model
    manager = model._default_manager
    return (resource.narrows_by_access() and type(resource).access is Resource.access
            and manager._queryset_class is models.QuerySet
            and type(manager).get_queryset is BaseManager.get_queryset
            and not model._meta.parents)


def _shape(resource: Resource, operation: str, user: Any) -> str | None:
    """``"all"`` or ``"owner"``: what ``user`` may ``operation``, with the rule checked
    (raises as :meth:`Resource.access` does); ``None`` for a callable rule, left to the ORM
    path to ask (once)."""
    if user is SYSTEM:
        return "all"
    if resource.rule(operation) not in ("anyone", "signed_in", "staff", "owner"):
        return None
    return "all" if resource.access(operation, user) is None else "owner"


def _base(resource: Resource, shape: str) -> models.QuerySet:
    queryset = resource.model._default_manager.using(resource.database).all()
    if shape == "owner":
        owner = resource.model._meta.get_field(resource.owner_field)
        queryset = queryset.filter(**{owner.name: Hole("owner", owner)})
    return queryset.filter(pk=Hole("pk", resource.model._meta.pk))


def _statement(key: tuple, build: Callable[[], Any]) -> Any:
    statement = _compiled.get(key)
    if statement is None:
        statement = _compiled[key] = build()  # a race compiles it twice, to the same SQL
    return statement


def _owner_pk(shape: str, user: Any) -> Any:
    return user.pk if shape == "owner" else None


def read(resource: Resource, user: Any) -> Callable[[Any], list[models.Model]] | None:
    """``run(pk)``: the object ``pk`` if ``user`` may read it (a list of one or none); ``None``
    when no statement fits (the caller then asks the ORM). Raises when ``user`` may not read."""
    shape = _shape(resource, "read", user) if _compilable(resource) else None
    if shape is None:
        return None
    alias = resource.database

    def build() -> Statement:
        sql, params = _base(resource, shape).query.get_compiler(using=alias).as_sql()
        return Statement(alias, sql, params, resource.model)

    statement = _statement(("read", resource.model, alias, shape, resource.owner_field), build)
    owner = _owner_pk(shape, user)
    return lambda pk: statement.run(pk=pk, owner=owner)


def update(resource: Resource, user: Any, parsed: list[tuple[models.Field, str, Any]],
           expressions: Callable) -> Callable[[Any], list[models.Model]] | None:
    """``run(pk)``: ``UPDATE ... RETURNING`` of the object ``pk`` with the checked update
    instructions ``parsed`` (see :mod:`.updates`, whose ``expressions`` builds their SQL):
    the changed object (a list of one or none). ``None`` when no statement fits. Raises when
    ``user`` may not update."""
    if not _compilable(resource) or any(kind not in _VALUE_KINDS for _field, kind, _value in parsed):
        return None
    shape = _shape(resource, "update", user)
    if shape is None:
        return None
    alias = resource.database

    def build() -> Statement:
        changes = expressions(parsed, lambda index, field, _value: Hole(f"v{index}", field))
        return Statement(alias, *update_sql(_base(resource, shape), changes), resource.model)

    shape_of_updates = tuple((field.attname, kind) for field, kind, _value in parsed)
    key = ("update", resource.model, alias, shape, resource.owner_field, shape_of_updates)
    statement = _statement(key, build)
    values = {f"v{index}": value for index, (_field, _kind, value) in enumerate(parsed)}
    owner = _owner_pk(shape, user)
    return lambda pk: statement.run(pk=pk, owner=owner, **values)


# Instructions whose value is one parameter (list updates build their own SQL).
_VALUE_KINDS = ("set", "increment", "decrement", "multiply", "divide", "min", "max")
