"""The client's ``query`` object applied to a queryset, and objects turned into JSON.

Everything the client names (fields, sort keys, lookups, omitted paths) is resolved against
the resource's readable fields to ORM paths built from the model's own field names; no
client string ever reaches the ORM as a column name or alias.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from dataclasses import dataclass, field as dc_field
from typing import Any

from django.db import connections, models

from agnost_django.core.exceptions import ValidationFailed
from agnost_django.core.expressions import FieldResolver, compile_filter
from agnost_django.data import exceptions
from agnost_django.data.conf import data_settings
from agnost_django.data.resources import Resource


class ResourceFieldResolver(FieldResolver):
    """Client field paths over a resource: readable fields, ``_id``, and dot paths through
    foreign keys into other *registered* models' readable fields."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def resolve(self, path: tuple[str, ...]) -> tuple[str, models.Field]:
        from agnost_django.data.registry import site

        resource: Resource | None = self.resource
        orm: list[str] = []
        for index, part in enumerate(path):
            last = index == len(path) - 1
            if resource is None:  # past a relation to an unregistered model: only its id
                if part == "_id" and last:
                    return "__".join(orm), model_field
                raise exceptions.InvalidField(f"Unknown field {'.'.join(path)!r}.", details={"field": ".".join(path)})
            model_field = resource.field(part)
            orm.append(model_field.name)
            if last:
                return "__".join(orm), model_field
            if not model_field.is_relation or model_field.many_to_many:
                raise exceptions.InvalidField(f"{part!r} has no sub-fields.", details={"field": ".".join(path)})
            resource = site.for_model(model_field.related_model)
            model_field = model_field.target_field
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


def apply_filter(queryset: models.QuerySet, resource: Resource, expression: str | None) -> models.QuerySet:
    if not expression:
        return queryset
    return queryset.filter(compile_filter(expression, ResourceFieldResolver(resource)))


def apply_sort(queryset: models.QuerySet, resource: Resource, sort: list[Any]) -> models.QuerySet:
    order = []
    for entry in sort:
        if not isinstance(entry, dict) or entry.get("direction", "asc") not in ("asc", "desc"):
            raise ValidationFailed("Each sort entry is {field, direction: asc|desc}.", details={"field": "query.sort"})
        path, _field = resolve_path(resource, entry.get("field"))
        order.append(("-" if entry.get("direction") == "desc" else "") + path)
    return queryset.order_by(*order, "pk")


@dataclass
class Lookups:
    """Simple lookups: foreign keys whose value is replaced by the referenced object."""

    fields: dict[str, Resource]

    @classmethod
    def parse(cls, resource: Resource, raw: list[Any]) -> Lookups:
        from agnost_django.data.registry import site

        fields: dict[str, Resource] = {}
        for entry in raw or []:
            if not isinstance(entry, dict):
                raise exceptions.InvalidLookup("A lookup is {field} or {name, modelName, query}.")
            if "field" not in entry:
                from agnost_django.core.exceptions import UnsupportedFunction

                raise UnsupportedFunction(
                    "Complex lookups ({name, modelName, query}) are not supported yet.",
                    details={"lookup": entry.get("name")},
                )
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
        return cls(fields)

    def apply(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.select_related(*self.fields) if self.fields else queryset


def count_matches(queryset: models.QuerySet) -> int:
    """Exact up to ``AGNOST_DATA_EXACT_COUNT_CAP``; beyond it, PostgreSQL's estimate."""
    cap = data_settings.EXACT_COUNT_CAP
    exact = queryset.order_by()[: cap + 1].count()
    if exact <= cap or connections[queryset.db].vendor != "postgresql":
        return exact if exact <= cap else queryset.order_by().count()
    plan = queryset.order_by().explain(format="json")
    import json

    estimate = json.loads(plan)[0]["Plan"]["Plan Rows"]
    return max(int(estimate), exact)


def count_info(total: int, page: int, limit: int) -> dict[str, int]:
    return {"count": total, "totalPages": math.ceil(total / limit) if limit else 0,
            "currentPage": page, "pageSize": limit}


def to_json(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def serialize(resource: Resource, obj: models.Model, *, lookups: Lookups | None = None,
              omit: list[str] | tuple[str, ...] = (), parent: Any = None) -> dict[str, Any]:
    """The client's form of ``obj``: ``_id``, readable fields (references as id strings),
    looked-up objects nested, sub-model lists nested, ``omit`` paths removed."""
    data: dict[str, Any] = {"_id": str(obj.pk)}
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
    for client_name, accessor in resource.sub_models.items():
        cache = getattr(obj, "_prefetched_objects_cache", {})
        if accessor in cache:
            from agnost_django.data.registry import site

            child = site.for_model(cache[accessor].model)
            if child is not None:
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
