"""List updates on JSON array fields as single-statement SQL expressions (PostgreSQL and
SQLite), so that concurrent pushes or pops never lose one. The item always travels as a
query parameter holding its JSON text; nothing from the client is written into SQL."""

from __future__ import annotations

import json
from typing import Any

from django.db import NotSupportedError
from django.db.models import F, Func, JSONField, Value


class _JSONListUpdate(Func):
    output_field = JSONField()
    sqlite = postgresql = ""

    def _parts(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        extra = []
        for expression in self.source_expressions[1:]:
            sql, more = compiler.compile(expression)
            extra.append((sql, more))
        return column, params, extra

    def _render(self, template: str, compiler, connection):
        column, params, extra = self._parts(compiler, connection)
        item_sql = extra[0][0] if extra else ""
        item_params = extra[0][1] if extra else []
        sql = template.format(column=column, item=item_sql)
        # The column appears once in each template; the item at most twice (pull on SQLite).
        return sql, (*params, *item_params * template.count("{item}"))

    def as_sqlite(self, compiler, connection, **extra):
        return self._render(self.sqlite, compiler, connection)

    def as_postgresql(self, compiler, connection, **extra):
        return self._render(self.postgresql, compiler, connection)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"List updates are supported on PostgreSQL and SQLite, not {connection.vendor}.")


class JSONPush(_JSONListUpdate):
    sqlite = "json_insert(COALESCE({column}, '[]'), '$[#]', json({item}))"
    postgresql = "(COALESCE({column}, '[]'::jsonb) || jsonb_build_array(({item})::jsonb))"


class JSONPop(_JSONListUpdate):
    sqlite = "json_remove(COALESCE({column}, '[]'), '$[#-1]')"
    postgresql = "(COALESCE({column}, '[]'::jsonb) - -1)"


class JSONShift(_JSONListUpdate):
    sqlite = "json_remove(COALESCE({column}, '[]'), '$[0]')"
    postgresql = "(COALESCE({column}, '[]'::jsonb) - 0)"


class JSONPull(_JSONListUpdate):
    """Remove every element equal to the item (basic values: text, numbers, booleans)."""

    sqlite = (
        "(SELECT json_group_array(CASE WHEN j.type IN ('true', 'false', 'object', 'array') "
        "THEN json(CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE j.value END) "
        "ELSE j.value END) FROM json_each(COALESCE({column}, '[]')) AS j "
        "WHERE NOT (j.type = json_type({item}) AND j.atom IS json_extract({item}, '$')))"
    )
    postgresql = (
        "(SELECT COALESCE(jsonb_agg(t.e ORDER BY t.i), '[]'::jsonb) "
        "FROM jsonb_array_elements(COALESCE({column}, '[]'::jsonb)) WITH ORDINALITY AS t(e, i) "
        "WHERE t.e <> ({item})::jsonb)"
    )


def list_update(kind: str, column: str, item: Any = None) -> Func:
    """The expression for ``push``, ``pull``, ``pop`` or ``shift`` on ``column``."""
    klass = {"push": JSONPush, "pull": JSONPull, "pop": JSONPop, "shift": JSONShift}[kind]
    if kind in ("push", "pull"):
        return klass(F(column), Value(json.dumps(item)))
    return klass(F(column))
