"""``UPDATE ... RETURNING``: change matching rows and get them back in one statement
(PostgreSQL; SQLite 3.35+). Django's ``QuerySet.update()`` answers only a count, so an
update that must answer the changed object would otherwise read it again."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connections, models
from django.db.models.sql.subqueries import UpdateQuery


def supported(alias: str) -> bool:
    vendor = connections[alias].vendor
    return vendor == "postgresql" or (vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def update(queryset: models.QuerySet, changes: dict[str, Any]) -> models.Model | None:
    """Apply ``changes`` (values or expressions, as for ``update()``) to the one row
    ``queryset`` matches and return it as saved, or ``None`` when nothing matched."""
    model, alias = queryset.model, queryset.db
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(changes)
    connection = connections[alias]
    sql, params = query.get_compiler(alias).as_sql()
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = f"{sql} RETURNING {', '.join(quote(field.column) for field in fields)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = [converter_value(field, value, connection) for field, value in zip(fields, row)]
    return model.from_db(alias, [field.attname for field in fields], values)


def converter_value(field: models.Field, value: Any, connection) -> Any:
    """The value as Django would load it (backend and field converters: dates on SQLite,
    JSON, decimals)."""
    expression = field.get_col(field.model._meta.db_table)
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value
