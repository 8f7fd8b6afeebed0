"""The few ORM expressions Django does not ship that the compiler needs for portable results.

Each renders a fixed SQL template around compiled sub-expressions; values always travel as
query parameters. They exist so that well-typed expressions cannot fail at query time:

* :class:`ToNumeric` — ``CAST(x AS numeric)`` on PostgreSQL, so mixed int/decimal/float maths
  never overflows ``integer``/``double precision``; SQLite's own numbers need no cast.
* :class:`Arithmetic` — ``a + b``, ``a - b``, ``a * b``, ``a / b`` computed in ``numeric`` on
  PostgreSQL and in SQLite's numbers elsewhere (division always in ``REAL`` there, so
  ``5 / 2`` is ``2.5``); a division (or :class:`Mod`) by zero is NULL (``NULLIF``) instead of
  an error.
* :class:`Mod` — remainder with the sign of the dividend, NULL for a zero divisor.
* :class:`JSONListContains` — "the JSON list field contains this scalar": ``@>`` on
  PostgreSQL, ``json_each`` on SQLite (type-exact: ``'1'`` does not match ``1``), and an
  :class:`~agnost_django.core.exceptions.UnsupportedFunction` on other backends.
* :class:`JSONSize`, :class:`JSONAppend`, :class:`JSONItems` (with :class:`JSONItem` and
  :class:`JSONItemIs`) — ``SIZE``, ``APPEND`` and ``ANYITEMTRUE``/``ALLITEMSTRUE`` on JSON
  lists: ``json_each``/``json_array_length``/``json_insert`` on SQLite,
  ``jsonb_array_elements``/``jsonb_array_length``/``||`` on PostgreSQL (a value that is not
  a JSON array counts as the empty list; appended literals travel as one JSON parameter);
  :class:`~agnost_django.core.exceptions.UnsupportedFunction` on other backends.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Expression,
    Func,
    IntegerField,
    JSONField,
)

from agnost_django.core.exceptions import UnsupportedFunction


class Plain(Func):
    """A function rendered on SQLite as elsewhere: without the ``CAST(... AS NUMERIC)``
    Django wraps around decimal results there (it only adds nesting, which SQLite's parser
    limits)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


class PlainCase(Case):
    """``CASE`` without the SQLite ``CAST(... AS NUMERIC)`` wrapper (see :class:`Plain`)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


class Abs(Plain):
    function = "ABS"
    arity = 1


class Ceil(Plain):
    function = "CEILING"
    arity = 1


class Floor(Plain):
    function = "FLOOR"
    arity = 1


class Sqrt(Plain):
    function = "SQRT"
    arity = 1


class Round(Plain):
    """``ROUND(x, digits)`` with ``digits`` a non-negative integer."""

    function = "ROUND"
    arity = 2


class ToNumeric(Plain):
    """The value as an exact number (``numeric`` on PostgreSQL, unchanged elsewhere)."""

    arity = 1
    output_field = DecimalField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS numeric)", params


class Arithmetic(Plain):
    """``lhs <op> rhs`` for ``op`` in ``+ - * /`` (see the module docstring)."""

    arity = 2
    OPERATORS = frozenset("+-*/")

    def __init__(self, lhs, op: str, rhs, *, output_field) -> None:
        if op not in self.OPERATORS:
            raise ValueError(f"unknown operator {op!r}")
        super().__init__(lhs, rhs, output_field=output_field)
        self.op = op

    def _operands(self, compiler, cast: str | None):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if cast:
            lhs, rhs = f"CAST({lhs} AS {cast})", f"CAST({rhs} AS {cast})"
        if self.op == "/":
            rhs = f"NULLIF({rhs}, 0)"
        return f"({lhs} {self.op} {rhs})", (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._operands(compiler, None)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._operands(compiler, "REAL" if self.op == "/" else None)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._operands(compiler, "numeric")


class Mod(Plain):
    """``MOD(a, b)``: the remainder with the sign of ``a``; NULL when ``b`` is zero."""

    arity = 2

    def _mod(self, compiler, cast: str | None):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if cast:
            lhs, rhs = f"CAST({lhs} AS {cast})", f"CAST({rhs} AS {cast})"
        return f"MOD({lhs}, NULLIF({rhs}, 0))", (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._mod(compiler, None)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._mod(compiler, "numeric")


class JSONListContains(Func):
    """A JSON list column contains the scalar ``value`` (text, number, boolean or None)."""

    arity = 1
    output_field = BooleanField()

    def __init__(self, expression, value: Any) -> None:
        super().__init__(expression)
        self.value = value

    def as_sql(self, compiler, connection, **extra_context):
        raise UnsupportedFunction(
            f"IN on a list field is not supported by the {connection.vendor} database.",
            details={"function": "IN"},
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        value = self.value
        if isinstance(value, Decimal):
            item = str(value)
        else:
            item = json.dumps(value)
        return f"({sql} @> %s::jsonb)", (*params, f"[{item}]")

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        value = self.value
        if value is None:
            condition, extra = "item.type = 'null'", ()
        elif isinstance(value, bool):
            condition, extra = f"item.type = '{'true' if value else 'false'}'", ()
        elif isinstance(value, str):
            condition, extra = "item.type = 'text' AND item.value = %s", (value,)
        else:
            number = value if isinstance(value, int) else float(value)
            condition, extra = "item.type IN ('integer', 'real') AND item.value = %s", (number,)
        template = (
            f"(json_type({sql}) = 'array' AND EXISTS (SELECT 1 FROM json_each({sql}) AS item "
            f"WHERE {condition}))"
        )
        return template, (*params, *params, *extra)


# -- JSON lists: SIZE, APPEND, ANYITEMTRUE / ALLITEMSTRUE ----------------------------------
#
# A "list" below is any JSON expression: a list field, an :class:`JSONAppend`, or a literal.
# A value that is not a JSON array (NULL, a scalar, an object) counts as the empty list.


def json_literal(value: Any) -> str:
    """The JSON text of a literal basic value (numbers as already normalised text/int)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(value)


def _unsupported(name: str, connection) -> UnsupportedFunction:
    return UnsupportedFunction(
        f"{name} is not supported by the {connection.vendor} database.",
        details={"function": name},
    )


class JSONSize(Func):
    """``SIZE(list)``: the number of elements of a JSON array, 0 for anything else."""

    arity = 1
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        raise _unsupported("SIZE", connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CASE WHEN json_type({sql}) = 'array' THEN json_array_length({sql}) "
                f"ELSE 0 END)", (*params, *params))

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CASE WHEN jsonb_typeof({sql}) = 'array' THEN jsonb_array_length({sql}) "
                f"ELSE 0 END)", (*params, *params))


class JSONAppend(Func):
    """``APPEND(list, v, ...)``: a JSON array, ``base`` (a non-array counts as ``[]``; None
    for a literal list) followed by the literal ``values`` (JSON texts from
    :func:`json_literal`), passed as one query parameter."""

    output_field = JSONField()

    def __init__(self, base, values: tuple[str, ...]) -> None:
        super().__init__(*([] if base is None else [base]))
        self.values = tuple(values)

    @property
    def base(self):
        return self.source_expressions[0] if self.source_expressions else None

    def _values(self) -> str:
        return "[" + ",".join(self.values) + "]"

    def as_sql(self, compiler, connection, **extra_context):
        raise _unsupported("APPEND", connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.base is None:
            return "json(%s)", (self._values(),)
        sql, params = compiler.compile(self.base)
        base = f"CASE WHEN json_type({sql}) = 'array' THEN json({sql}) ELSE '[]' END"
        if not self.values:
            return f"({base})", (*params, *params)
        inserts = ", ".join("'$[#]', json(%s)" for _ in self.values)
        return f"json_insert({base}, {inserts})", (*params, *params, *self.values)

    def as_postgresql(self, compiler, connection, **extra_context):
        if self.base is None:
            return "(%s::jsonb)", (self._values(),)
        sql, params = compiler.compile(self.base)
        return (f"(CASE WHEN jsonb_typeof({sql}) = 'array' THEN {sql}::jsonb ELSE '[]'::jsonb END "
                f"|| %s::jsonb)", (*params, *params, self._values()))


#: The item kinds :class:`JSONItem` offers, by the compiler's kind names.
ITEM_KINDS = ("text", "decimal", "boolean", "null")
_SQLITE_TYPES = {"text": "('text')", "decimal": "('integer', 'real')",
                 "boolean": "('true', 'false')", "null": "('null')"}
_PG_TYPES = {"text": "'string'", "decimal": "'number'", "boolean": "'boolean'",
             "null": "'null'"}


class JSONItem(Expression):
    """The current element of a list-item subquery (alias ``alias``) as a typed SQL value of
    ``kind`` — NULL when the element's JSON type is another one, so a cast never fails."""

    def __init__(self, alias: str, kind: str, output_field) -> None:
        if kind not in ITEM_KINDS[:3]:
            raise ValueError(f"unknown item kind {kind!r}")
        super().__init__(output_field=output_field)
        self.alias, self.kind = alias, kind

    def as_sql(self, compiler, connection, **extra_context):
        raise _unsupported("ANYITEMTRUE", connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        a = self.alias
        if self.kind == "boolean":
            return f"(CASE {a}.type WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)", ()
        return f"(CASE WHEN {a}.type IN {_SQLITE_TYPES[self.kind]} THEN {a}.value END)", ()

    def as_postgresql(self, compiler, connection, **extra_context):
        a = self.alias
        cast = {"text": "", "decimal": "::numeric", "boolean": "::boolean"}[self.kind]
        return (f"(CASE WHEN jsonb_typeof({a}.value) = {_PG_TYPES[self.kind]} "
                f"THEN ({a}.value #>> '{{}}'){cast} END)", ())


class JSONItemIs(Expression):
    """The current element of a list-item subquery has the JSON type of ``kind``."""

    output_field = BooleanField()

    def __init__(self, alias: str, kind: str) -> None:
        if kind not in ITEM_KINDS:
            raise ValueError(f"unknown item kind {kind!r}")
        super().__init__()
        self.alias, self.kind = alias, kind

    def as_sql(self, compiler, connection, **extra_context):
        raise _unsupported("ANYITEMTRUE", connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        return f"({self.alias}.type IN {_SQLITE_TYPES[self.kind]})", ()

    def as_postgresql(self, compiler, connection, **extra_context):
        return f"(jsonb_typeof({self.alias}.value) = {_PG_TYPES[self.kind]})", ()


class JSONItems(Func):
    """``ANYITEMTRUE`` (``every=False``: some element satisfies ``condition``) or
    ``ALLITEMSTRUE`` (``every=True``: no element fails it) over a JSON list, as
    ``[NOT] EXISTS (SELECT 1 FROM json_each(list) ...)`` on SQLite and over
    ``jsonb_array_elements`` on PostgreSQL. ``condition`` is a ``Q`` over :class:`JSONItem`
    and :class:`JSONItemIs` of the same ``alias``; a non-array list has no elements."""

    arity = 2
    output_field = BooleanField()

    def __init__(self, expression, condition, alias: str, every: bool) -> None:
        super().__init__(expression, condition)
        self.alias, self.every = alias, every

    def as_sql(self, compiler, connection, **extra_context):
        raise _unsupported("ALLITEMSTRUE" if self.every else "ANYITEMTRUE", connection)

    def _parts(self, compiler):
        (sql, params), (cond, cond_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        prefix = "NOT EXISTS" if self.every else "EXISTS"
        test = f"NOT ({cond})" if self.every else f"({cond})"
        return sql, params, prefix, test, cond_params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params, prefix, test, cond_params = self._parts(compiler)
        return (f"({prefix} (SELECT 1 FROM json_each({sql}) AS {self.alias} "
                f"WHERE json_type({sql}) = 'array' AND {test}))",
                (*params, *params, *cond_params))

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params, prefix, test, cond_params = self._parts(compiler)
        return (f"({prefix} (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({sql}) "
                f"= 'array' THEN {sql}::jsonb ELSE '[]'::jsonb END) AS {self.alias}(value) "
                f"WHERE {test}))", (*params, *params, *cond_params))
