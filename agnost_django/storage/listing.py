"""Listing options of list-buckets, list-files and search-files: the expression language of
``core`` over the wire field names, one sort field, paging and count info."""

from __future__ import annotations

import math
from typing import Any

from django.db import models

from agnost_django.core.exceptions import InvalidField, ValidationFailed
from agnost_django.core.expressions import FieldResolver, compile_filter
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.models import Bucket

BUCKET_FIELDS = {
    "_id": "id", "name": "name", "isPublic": "is_public", "createdAt": "created_at",
    "updatedAt": "updated_at", "userId": "owner", "tags": "tags",
}
FILE_FIELDS = {
    "_id": "id", "bucketId": "bucket", "fileName": "name", "size": "size", "encoding": "encoding",
    "mimeType": "mime_type", "isPublic": "is_public", "uploadedAt": "uploaded_at",
    "updatedAt": "updated_at", "userId": "owner", "tags": "tags",
    # The server library's spellings (Agnost's FileInfo).
    "path": "name", "contentType": "mime_type", "name": "name", "id": "id",
}


class WireFieldResolver(FieldResolver):
    """Client field names (``fileName``, ``isPublic``...) to model fields; nothing else."""

    def __init__(self, model: type[models.Model], names: dict[str, str]) -> None:
        self.model = model
        self.names = names

    def resolve(self, path: tuple[str, ...]) -> tuple[str, models.Field]:
        dotted = ".".join(path)
        if len(path) != 1 or path[0] not in self.names:
            raise InvalidField(f"unknown field '{dotted}'", details={"field": dotted})
        name = self.names[path[0]]
        return name, self.model._meta.get_field(name)


def resolver_for(model: type[models.Model]) -> WireFieldResolver:
    return WireFieldResolver(model, BUCKET_FIELDS if model is Bucket else FILE_FIELDS)


def clean_options(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ValidationFailed("options must be an object.", details={"field": "options"})
    for key in ("page", "limit"):
        value = options.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationFailed(f"options.{key} must be an integer.", details={"field": f"options.{key}"})
    return options


def apply(queryset: models.QuerySet, expression: Any, options: Any,
          search: str | None = None) -> list[Any] | dict[str, Any]:
    """The page of ``queryset`` that ``expression`` and ``options`` ask for: a list of
    objects, or ``{"info", "data"}`` with ``returnCountInfo``."""
    options = clean_options(options)
    resolver = resolver_for(queryset.model)
    if expression is not None and not isinstance(expression, str):
        raise ValidationFailed("expression must be a string.", details={"field": "expression"})
    if expression:
        queryset = queryset.filter(compile_filter(expression, resolver))
    if search:
        queryset = queryset.filter(name__icontains=search)
    queryset = queryset.order_by(*_ordering(options.get("sort"), resolver))
    page = max(1, options.get("page") or 1)
    limit = options.get("limit")
    limit = min(limit if limit and limit > 0 else storage_settings.DEFAULT_LIMIT, storage_settings.MAX_LIMIT)
    data = list(queryset[(page - 1) * limit: page * limit])
    if not options.get("returnCountInfo"):
        return data
    total = queryset.order_by().count()
    return {"info": {"count": total, "totalPages": math.ceil(total / limit), "currentPage": page,
                     "pageSize": limit}, "data": data}


def _ordering(sort: Any, resolver: WireFieldResolver) -> list[Any]:
    """``{field, direction}`` (the client), ``{field, order}`` (Agnost's engine), or a list
    of them; newest first when absent."""
    if sort is None:
        default = "created_at" if resolver.model is Bucket else "uploaded_at"
        return [models.F(default).desc(), "pk"]
    entries = sort if isinstance(sort, list) else [sort]
    order: list[Any] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
            raise ValidationFailed("sort is {field, direction: asc|desc}.", details={"field": "options.sort"})
        direction = entry.get("direction", entry.get("order", "asc"))
        if direction not in ("asc", "desc"):
            raise ValidationFailed("sort direction is asc or desc.", details={"field": "options.sort"})
        name, _field = resolver.resolve((entry["field"],))
        column = models.F(name)
        order.append(column.desc(nulls_last=True) if direction == "desc" else column.asc(nulls_last=True))
    return [*order, "pk"]
