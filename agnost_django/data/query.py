"""The client's ``query`` object applied to a queryset, and objects turned into JSON.

Everything the client names (fields, sort keys, lookups, omitted paths) is resolved against
the resource's readable fields to ORM paths built from the model's own field names; no
client string ever reaches the ORM as a column name or alias.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field as dc_field
from typing import Any

from django.core.exceptions import FullResultSet
from django.db import connections, models
from django.db.models.query import ModelIterable

from agnost_django.core.exceptions import ValidationFailed
from agnost_django.core.expressions import FieldResolver, compile_filter
from agnost_django.core.wire import to_json
from agnost_django.data import exceptions, statements
from agnost_django.data.conf import data_settings
from agnost_django.data.resources import Resource


class ResourceFieldResolver(FieldResolver):
    """Client field paths over a resource: readable fields, ``_id``, and dot paths through
    foreign keys into other *registered* models' readable fields."""

    def __init__(self, resource: Resource, lookups: Lookups | None = None) -> None:
        self.resource = resource
        self.lookups = lookups

    def resolve(self, path: tuple[str, ...]) -> tuple[str, models.Field]:
        from agnost_django.data.registry import site

        complex_lookup = self.lookups.complex_named(path[0]) if self.lookups and path else None
        if complex_lookup is not None:  # a field added by a complex lookup
            return complex_lookup.reference(path[1:])
        resource: Resource | None = self.resource
        orm: list[str] = []
        target: models.Field | None = None  # the key field of the relation just crossed
        for index, part in enumerate(path):
            last = index == len(path) - 1
            if resource is None:  # past a relation to an unregistered model: only its id
                if part == "_id" and last:
                    return "__".join(orm), target
                raise exceptions.InvalidField(f"Unknown field {'.'.join(path)!r}.", details={"field": ".".join(path)})
            model_field = resource.field(part)
            orm.append(model_field.name)
            if last:
                return "__".join(orm), model_field
            if not model_field.is_relation or model_field.many_to_many:
                raise exceptions.InvalidField(f"{part!r} has no sub-fields.", details={"field": ".".join(path)})
            resource = site.for_model(model_field.related_model)
            target = model_field.target_field
        raise exceptions.InvalidField("Empty field path.", details={"field": ""})


def resolve_path(resource: Resource, dotted: Any) -> tuple[str, models.Field]:
    if not isinstance(dotted, str) or not dotted:
        raise exceptions.InvalidField("A field path must be a non-empty string.", details={"field": str(dotted)})
    path = tuple(dotted.split("."))
    if path[0] == "this":
        path = path[1:]
    return ResourceFieldResolver(resource).resolve(path)


@dataclass
class Query:
    expression: str | None = None
    lookups: list[Any] = dc_field(default_factory=list)
    page: int = 1
    limit: int | None = None
    sort: list[dict[str, Any]] = dc_field(default_factory=list)
    omit: list[str] = dc_field(default_factory=list)
    group: Any = None


def parse_query(raw: Any) -> Query:
    """Validate the client's ``query`` object (every key may be null or absent)."""
    if raw is None:
        return Query()
    if not isinstance(raw, dict):
        raise ValidationFailed("query must be an object.", details={"field": "query"})
    expression = raw.get("expression")
    if expression is not None and not isinstance(expression, str):
        raise ValidationFailed("query.expression must be a string.", details={"field": "query.expression"})
    query = Query(expression=expression or None, group=raw.get("group"))
    for key in ("lookups", "sort", "omit"):
        value = raw.get(key)
        if value is not None and not isinstance(value, list):
            raise ValidationFailed(f"query.{key} must be an array.", details={"field": f"query.{key}"})
        setattr(query, key, value or [])
    for key in ("page", "limit"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationFailed(f"query.{key} must be an integer.", details={"field": f"query.{key}"})
    query.page = max(1, raw.get("page") or 1)
    query.limit = raw.get("limit")
    return query


def page_bounds(query: Query) -> tuple[int, int]:
    limit = query.limit if query.limit and query.limit > 0 else data_settings.DEFAULT_LIMIT
    limit = min(limit, data_settings.MAX_LIMIT)
    return (query.page - 1) * limit, limit


def apply_filter(queryset: models.QuerySet, resource: Resource, expression: str | None,
                 lookups: Lookups | None = None) -> models.QuerySet:
    if not expression:
        return queryset
    condition = compile_filter(expression, ResourceFieldResolver(resource, lookups))
    if lookups is not None:
        queryset = lookups.annotate_fields(queryset)
    return queryset.filter(condition)


def apply_sort(queryset: models.QuerySet, resource: Resource, sort: list[Any],
               lookups: Lookups | None = None) -> models.QuerySet:
    order = []
    resolver = ResourceFieldResolver(resource, lookups)
    for entry in sort:
        if not isinstance(entry, dict) or entry.get("direction", "asc") not in ("asc", "desc"):
            raise ValidationFailed("Each sort entry is {field, direction: asc|desc}.", details={"field": "query.sort"})
        dotted = entry.get("field")
        if not isinstance(dotted, str) or not dotted:
            raise exceptions.InvalidField("A sort field must be a non-empty string.", details={"field": str(dotted)})
        parts = tuple(dotted.split("."))
        path, field = resolver.resolve(parts[1:] if parts[0] == "this" else parts)
        # Missing values last in both directions, on every database (PostgreSQL would put
        # them first when descending, SQLite first when ascending). A column of this model
        # that can't be null is left without NULLS LAST: the planners don't know it changes
        # nothing there, and would sort every matching row instead of reading an index.
        column = models.F(path)
        own_column = (path == field.name and getattr(field, "model", None) is not None
                      and field.model._meta.concrete_model is resource.model._meta.concrete_model)
        nulls_last = None if own_column and not field.null else True
        order.append(column.desc(nulls_last=nulls_last) if entry.get("direction") == "desc"
                     else column.asc(nulls_last=nulls_last))
    if lookups is not None:
        queryset = lookups.annotate_fields(queryset)
    return queryset.order_by(*order, "pk")


class ComplexLookupResolver(ResourceFieldResolver):
    """Fields of a complex lookup's ``query``: ``this.<field>`` is the outer object (an
    ``OuterRef``), ``lookup.<field>`` the candidate object of the looked-up model."""

    def __init__(self, outer: Resource, candidate: Resource) -> None:
        super().__init__(outer)
        self.candidate = ResourceFieldResolver(candidate)

    def resolve_lookup(self, path: tuple[str, ...]) -> tuple[str, models.Field]:
        return self.candidate.resolve(path)

    def reference(self, orm_path: str, scope: str):
        return models.F(orm_path) if scope == "lookup" else models.OuterRef(orm_path)


@dataclass
class ComplexLookup:
    name: str
    resource: Resource
    expression: str
    alias: str
    candidates: Any = None  # the matching objects of the looked-up model, first one first
    fields: dict[str, str] = dc_field(default_factory=dict)  # generated alias -> ORM path

    def reference(self, path: tuple[str, ...]) -> tuple[str, models.Field]:
        """``name`` alone is the looked-up object's id (``EXISTS(name)``); ``name.<field>``
        one of its fields, fetched by a correlated subquery under a generated alias."""
        if not path:
            return self.alias, _nullable(self.resource.model._meta.pk)
        orm_path, model_field = ResourceFieldResolver(self.resource).resolve(path)
        alias = next((a for a, p in self.fields.items() if p == orm_path), None)
        if alias is None:
            alias = f"{self.alias}_{len(self.fields)}"
            self.fields[alias] = orm_path
        return alias, _nullable(model_field)


def _nullable(model_field: models.Field) -> models.Field:
    """A copy of ``model_field`` that may be NULL: nothing may match a complex lookup."""
    field = copy.copy(model_field)
    field.null = True
    return field


@dataclass
class Lookups:
    """Simple lookups (a foreign key replaced by the referenced object, joined in the same
    query) and complex lookups (a new field holding the first object of another model for
    which ``query`` is true: a correlated subquery picks its id, and one more query per
    lookup loads those objects for the whole page)."""

    fields: dict[str, Resource]
    complex: list[ComplexLookup] = dc_field(default_factory=list)
    outer: Resource | None = None
    loaded: dict[str, dict[Any, models.Model]] = dc_field(default_factory=dict)

    @classmethod
    def parse(cls, resource: Resource, raw: list[Any]) -> Lookups:
        from agnost_django.data.registry import site

        fields: dict[str, Resource] = {}
        complex_lookups: list[ComplexLookup] = []
        for entry in raw or []:
            if not isinstance(entry, dict):
                raise exceptions.InvalidLookup("A lookup is {field} or {name, modelName, query}.")
            if "field" not in entry:
                complex_lookups.append(cls._parse_complex(resource, entry, len(complex_lookups)))
                continue
            name = entry["field"]
            try:
                model_field = resource.field(name) if isinstance(name, str) else None
            except exceptions.InvalidField:
                model_field = None
            related = site.for_model(model_field.related_model) if model_field is not None and model_field.many_to_one else None
            if related is None:
                raise exceptions.InvalidLookup(
                    f"{name!r} is not a reference to an exposed model.", details={"field": str(name)})
            fields[model_field.name] = related
        return cls(fields, complex_lookups, resource)

    def complex_named(self, name: str) -> ComplexLookup | None:
        return next((lookup for lookup in self.complex if lookup.name == name), None)

    def annotate_fields(self, queryset: models.QuerySet) -> models.QuerySet:
        """Add the subqueries of complex-lookup fields that filters or sorts refer to."""
        for lookup in self.complex:
            missing = {a: p for a, p in lookup.fields.items() if a not in queryset.query.annotations}
            if missing:
                queryset = queryset.annotate(**{
                    alias: models.Subquery(lookup.candidates.values(orm_path)[:1])
                    for alias, orm_path in missing.items()
                })
        return queryset

    @staticmethod
    def _parse_complex(resource: Resource, entry: dict, index: int) -> ComplexLookup:
        from agnost_django.data.registry import site

        name, model_name, expression = entry.get("name"), entry.get("modelName"), entry.get("query")
        if not isinstance(name, str) or not name.isidentifier():
            raise exceptions.InvalidLookup("A complex lookup needs a name.", details={"name": str(name)})
        if any(f.name == name for f in resource.readable_fields()):
            raise exceptions.InvalidLookup(f"{name!r} is already a field.", details={"name": name})
        if not isinstance(model_name, str) or not isinstance(expression, str) or not expression.strip():
            raise exceptions.InvalidLookup("A complex lookup needs modelName and query.", details={"name": name})
        return ComplexLookup(name, site.get(model_name), expression, f"_lk{index}")

    def apply(self, queryset: models.QuerySet, user: Any = None) -> models.QuerySet:
        if self.fields:
            queryset = queryset.select_related(*self.fields)
        for lookup in self.complex:
            candidates = lookup.resource.queryset("read", user)
            condition = compile_filter(lookup.expression, ComplexLookupResolver(self.outer, lookup.resource))
            lookup.candidates = candidates.filter(condition).order_by("pk")
            queryset = queryset.annotate(**{lookup.alias: models.Subquery(lookup.candidates.values("pk")[:1])})
        return queryset

    def load(self, objects: list[models.Model], user: Any = None) -> None:
        """Fetch the complex lookups' objects for a page of results (one query each)."""
        for lookup in self.complex:
            ids = {getattr(obj, lookup.alias) for obj in objects} - {None}
            found = lookup.resource.queryset("read", user).in_bulk(ids) if ids else {}
            self.loaded[lookup.name] = found


def count_matches(queryset: models.QuerySet) -> int:
    """Exact up to ``AGNOST_DATA_EXACT_COUNT_CAP``; beyond it, PostgreSQL's estimate."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.order_by().count()  # no estimate to fall back on: count once
    capped = queryset.order_by()[: data_settings.EXACT_COUNT_CAP + 1]
    counting = _count_sql(capped)
    if counting is None:
        return _beyond_cap(queryset, capped.count())
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(*counting)
        return _beyond_cap(queryset, cursor.fetchone()[0])


def _beyond_cap(queryset: models.QuerySet, exact: int) -> int:
    if exact <= data_settings.EXACT_COUNT_CAP:
        return exact
    plan = queryset.order_by().explain(format="json")
    return max(int(json.loads(plan)[0]["Plan"]["Plan Rows"]), exact)


def _count_sql(queryset: models.QuerySet) -> tuple[str, list] | None:
    """SQL counting the rows of a plain filtered selection, compiled once (Django's count of a
    sliced queryset clones it into an aggregate over a subquery and compiles both, which cost
    more than running the count); ``None`` for a distinct, grouped or combined one."""
    if not _plain_selection(queryset.query):
        return None
    sql, params = queryset.values_list("pk").query.get_compiler(queryset.db).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) subquery", list(params)


def _plain_selection(query) -> bool:
    """Whether ``query`` is not distinct, grouped, combined or given extra SQL: its rows are
    counted by wrapping its selection in ``COUNT(*)``."""
    return not (query.distinct or query.group_by is not None or query.combinator or query.extra)


def _count_of_page(page) -> tuple[str, list] | None:
    """:func:`_count_sql`'s statement built from a compiled page's own FROM and WHERE (the
    page's compiler has resolved them: compiling a second, capped and id-only queryset cost
    more than the count's round trip). ``None`` where the page's filters reach another
    table, or it is distinct, grouped, combined or filtered after grouping."""
    query = page.query
    # A join the filters trimmed stays in alias_map, unreferenced (as Django's FROM skips it).
    joined = any(query.alias_refcount[alias] for alias in query.alias_map if alias != query.base_table)
    if joined or not _plain_selection(query) or page.having is not None or page.qualify is not None:
        return None
    from_sql, from_params = page.compile(query.alias_map[query.base_table])
    try:
        where, where_params = page.compile(page.where) if page.where is not None else ("", [])
    except FullResultSet:
        where, where_params = "", []
    pk, _pk_params = page.compile(query.model._meta.pk.get_col(query.base_table))
    sql = f"SELECT {pk} FROM {from_sql}" + (f" WHERE {where}" if where else "")
    return (f"SELECT COUNT(*) FROM ({sql} LIMIT {data_settings.EXACT_COUNT_CAP + 1}) subquery",
            [*from_params, *where_params])


def page_and_count(queryset: models.QuerySet, offset: int, limit: int) -> tuple[list[models.Model], int] | None:
    """The objects of one page of ``queryset`` and :func:`count_matches` of it, both
    statements sent to PostgreSQL at once (psycopg's pipeline: one round trip instead of two).
    ``None`` unless the queryset selects the model's own columns and nothing more (no
    annotations, related or prefetched objects, deferred fields): the caller then runs both."""
    connection = connections[queryset.db]
    query = queryset.query
    if (connection.vendor != "postgresql" or not query.default_cols or query.annotations
            or query.extra_select or query.select_related or queryset._prefetch_related_lookups
            or queryset._iterable_class is not ModelIterable or query.deferred_loading != (frozenset(), True)):
        return None
    connection.ensure_connection()
    if not hasattr(connection.connection, "pipeline"):  # psycopg 2
        return None
    compiler = queryset[offset:offset + limit].query.get_compiler(queryset.db)
    page_sql, page_params = compiler.as_sql()
    counting = _count_of_page(compiler) or _count_sql(queryset.order_by()[: data_settings.EXACT_COUNT_CAP + 1])
    if counting is None:
        return None
    with connection.cursor() as page, connection.cursor() as count, connection.wrap_database_errors:
        with connection.connection.pipeline():
            page.execute(page_sql, page_params)
            count.execute(*counting)
        found, exact = page.fetchall(), count.fetchone()[0]
    return statements.rows(queryset.db, queryset.model).objects(found), _beyond_cap(queryset, exact)


def count_info(total: int, page: int, limit: int) -> dict[str, int]:
    return {"count": total, "totalPages": math.ceil(total / limit) if limit else 0,
            "currentPage": page, "pageSize": limit}


def serialize(resource: Resource, obj: models.Model, *, lookups: Lookups | None = None,
              omit: list[str] | tuple[str, ...] = (), parent: Any = None) -> dict[str, Any]:
    """The client's form of ``obj``: ``_id``, readable fields (references as id strings),
    looked-up objects nested, sub-model lists nested, ``omit`` paths removed."""
    data: dict[str, Any] = {"_id": str(obj.pk)}
    parent_field = getattr(resource, "parent_field", None)  # set on sub-model resources
    if parent is None and parent_field is not None:
        parent = getattr(obj, parent_field)
    if parent is not None:
        data["_parent"] = str(parent)
    for model_field in resource.readable_fields():
        if model_field.primary_key:
            continue
        if model_field.is_relation:
            if lookups and model_field.name in lookups.fields:
                related = getattr(obj, model_field.name)
                if related is not None:
                    data[model_field.name] = serialize(lookups.fields[model_field.name], related)
                continue
            raw = getattr(obj, model_field.attname)
            data[model_field.name] = None if raw is None else str(raw)
        else:
            data[model_field.name] = to_json(model_field.value_from_object(obj))
    for lookup in lookups.complex if lookups else ():
        found = lookups.loaded.get(lookup.name, {}).get(getattr(obj, lookup.alias, None))
        if found is not None:
            data[lookup.name] = serialize(lookup.resource, found)
    for client_name, accessor in resource.sub_models.items():
        from agnost_django.data.registry import site

        relation = resource.model._meta.get_field(accessor)
        child = site.for_model(relation.related_model)
        if child is None:
            continue
        if relation.one_to_one:  # a single sub-object, cached by prefetch_related
            if relation.is_cached(obj):
                item = relation.get_cached_value(obj)
                if item is not None:
                    data[client_name] = serialize(child, item, parent=obj.pk)
            continue
        cache = getattr(obj, "_prefetched_objects_cache", {})
        if accessor in cache:
            data[client_name] = [serialize(child, item, parent=obj.pk) for item in cache[accessor]]
    for path in omit:
        _drop(data, str(path).split("."))
    return data


def _drop(data: dict[str, Any], parts: list[str]) -> None:
    if len(parts) == 1:
        data.pop(parts[0], None)
    elif isinstance(data.get(parts[0]), dict):
        _drop(data[parts[0]], parts[1:])
    elif isinstance(data.get(parts[0]), list):
        for item in data[parts[0]]:
            if isinstance(item, dict):
                _drop(item, parts[1:])
