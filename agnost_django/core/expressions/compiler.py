"""Compiles an expression tree to Django ORM objects: a ``Q`` for filters, an ``Expression``
for grouping and computations. Nothing here writes SQL from client text: field paths go
through a :class:`~.resolvers.FieldResolver` (which only returns allowed paths, used as
``F()`` references), literals become query parameters (``Value``), and no client string
ever becomes an alias, keyword argument or column name.

Semantics (the choices spec §4.2/§7 leaves to the server):

Types
    Every operand has a kind: integer, decimal, number (float), text, boolean, datetime,
    date, time, JSON (a list field), "value" (other field types: only ``==``/``!=``/``IN``
    with literals), null, or a list literal. Types are checked when compiling, so a
    well-typed expression never fails in the database; a mismatch is an
    ``InvalidExpression`` pointing at the offending operand.

Literals meeting a field (or expression)
    The literal is converted to the other side's type: numbers between integer, decimal
    and float freely; a text literal is accepted where a number is expected if it spells
    one (``_id == '5'``: ids travel as text) and where a datetime/date/time is expected if it
    is ISO 8601 (``released_at > '2023-01-01T00:00:00Z'``; a date alone means midnight UTC;
    a datetime without offset is UTC). Anything else is a mismatch: numbers are never
    compared with text fields, booleans only with booleans, ``'abc'`` is not a number and
    ``'not a date'`` not a datetime. A date field against a datetime compares whole days
    (the datetime is truncated to its UTC date).

NULL (a missing value)
    ``x == null`` is ``x IS NULL``, ``x != null`` is ``x IS NOT NULL``. A NULL operand is
    unequal to everything and fails every ``<``/``<=``/``>``/``>=``, so ``x != 'a'`` is TRUE
    when ``x`` is NULL and ``!(x > 1)`` is TRUE as well. Conditions are two-valued (each
    comparison on a nullable operand is compiled as ``cmp AND operand IS NOT NULL``), so
    ``!``/``NOT`` and ``!=`` are exact negations. Arithmetic with NULL gives NULL; text
    concatenation treats NULL as ``''``.

Booleans
    A boolean field, a comparison or a boolean function can be a whole filter (``in_stock``,
    ``!in_stock`` — a NULL boolean is not true). Conditions compare with ``==``/``!=``
    (equivalence). ``&&``/``||``/``AND``/``OR`` need booleans; ``true``/``false`` are constants.

Arithmetic
    ``+ - * /`` need numbers (``+`` concatenates when either side is text: the other side
    is converted with TOTEXT). Integer ``op`` integer stays integer except ``/``, which always
    divides exactly (``5 / 2 == 2.5``); any float makes a float, else decimal. Division or
    ``MOD`` by zero is NULL. On PostgreSQL the maths runs in ``numeric`` (no overflow);
    on SQLite in its native numbers. Literal-only sub-expressions are folded in Python.

Text
    ``==`` and the text functions are case-sensitive (``TOLOWER`` both sides for a
    case-insensitive test); ``<``/``>`` on text follow the database collation. Case mapping
    of non-ASCII letters is the database's (SQLite maps ASCII only).

Escapes and literals
    See :mod:`.lexer`: ``\\\\ \\' \\" \\n \\t \\r \\b \\f \\/ \\uXXXX`` in either quote style;
    ``true``/``false``/``null`` are case-insensitive; numbers lie in ``[1e-16, 1e16)``.

Complexity
    Besides the parser's length and depth limits, each (sub-)expression's SQL is bounded
    (:data:`SQL_DEPTH_BUDGET` nesting units, :data:`SQL_SIZE_BUDGET` nodes), because SQLite's
    parser overflows on deeply nested SQL and a few constructs repeat an operand (SQRT's
    guard, ENDSWITH, comparing two conditions): past the bound the expression is
    "too complex" (``invalid_expression``), never a database error or an exponential query.

List items
    Inside ``ANYITEMTRUE``/``ALLITEMSTRUE`` (see :mod:`.functions`) ``this`` alone is the
    list item, compiled once per JSON item type; an item meets only literals of its own
    type (numbers among themselves): ``==`` with another type is false, ``!=`` true.

Functions
    See :mod:`.functions` for the table. Names are case-insensitive. Wrong arity or
    argument types is ``invalid_expression``; a known Altogic function that is not
    implemented is ``unsupported_function`` (501); anything else ``invalid_function``.
"""


from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Lookup,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Concat, TruncDate
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from agnost_django.core.exceptions import (
    AgnostAPIError,
    InvalidExpression,
    InvalidField,
    InvalidFunction,
    UnsupportedFunction,
)

from . import ast
from .literals import (
    format_number,
    parse_date_text,
    parse_datetime_text,
    parse_number,
    parse_time_text,
    to_int_if_exact,
)
from .operands import (
    BOOL,
    DATE,
    DATETIME,
    DEC,
    DECIMALS,
    FLOAT,
    INT,
    INT64_MAX,
    INT64_MIN,
    JSON,
    LIST,
    NULL,
    NUMERIC,
    OTHER,
    TEMPORAL,
    TEXT,
    TIME,
    UTC,
    Cond,
    Operand,
    arithmetic_kind,
    constant,
    field_kind,
    null,
    output_field,
    truth,
)
from .sql import Arithmetic, ToNumeric

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from django.db.models import Expression

    from .resolvers import FieldResolver

#: Bounds on the SQL a (sub-)expression may produce: nesting, in the units of
#: :func:`_weight` (SQLite's parser stack overflows past roughly 30 nested function calls),
#: and size in expression nodes (some constructs repeat an operand, e.g. SQRT's guard).
SQL_DEPTH_BUDGET = 80
SQL_SIZE_BUDGET = 20_000

_LOOKUPS = {
    "==": Exact,
    "!=": Exact,
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
}
FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class Compiler:
    """Compiles one expression tree; ``source`` is the text error details quote.

    ``functions`` maps upper-case names to the functions a call may use (the table of
    :mod:`.functions`, handed in so that it can build on this module); ``unsupported``
    names the known functions that answer ``unsupported_function``."""

    def __init__(self, resolver: FieldResolver, source: str, functions: Mapping[str, Any],
                 unsupported: Collection[str] = frozenset()) -> None:
        self.resolver = resolver
        self.source = source
        self.functions = functions
        self.unsupported = unsupported
        self._costs: dict[int, tuple[Any, tuple[int, int]]] = {}
        #: Inside the condition of ANYITEMTRUE/ALLITEMSTRUE: the function's name and the
        #: operand ``this`` stands for (see :mod:`.functions`).
        self.item_scope: str | None = None
        self.item: Operand | None = None
        self._aliases = 0

    def new_alias(self) -> str:
        """A fresh SQL alias for a list-item subquery (never client text)."""
        self._aliases += 1
        return f"agnost_item{self._aliases}"

    # -- errors ----------------------------------------------------------------------------

    def error(
        self, at: ast.Node | Operand | Cond | int, message: str, cls=InvalidExpression, **details
    ) -> AgnostAPIError:
        if isinstance(at, (Operand, Cond)):
            at = at.node
        pos = at.pos if isinstance(at, ast.Node) else at
        return cls(
            f"{message} at position {pos}",
            details={"position": pos, "expression": self.source, **details},
        )

    def describe(self, item: Operand | Cond) -> str:
        if isinstance(item, Cond):
            return "a condition" if item.value is None else ("true" if item.value else "false")
        if item.kind == LIST:
            return "a list"
        if item.field is not None and item.label:
            return f"the {item.kind} field '{item.label}'"
        if item.is_item:
            return f"the {item.kind} list item 'this'"
        if item.constant:
            value = item.value
            if item.kind == NULL:
                return "null"
            if item.kind == BOOL:
                return "true" if value else "false"
            if item.kind == TEXT:
                shown = value if len(value) <= 40 else value[:37] + "..."
                return f"the text {shown!r}"
            if item.kind in NUMERIC:
                return f"the number {format_number(value)}"
            return f"the {item.kind} {value.isoformat()}"
        return f"a {item.kind} expression"

    # -- entry points ----------------------------------------------------------------------

    def filter(self, node: ast.Node) -> Q:
        result = self.compile(node)
        if isinstance(result, Operand) and result.kind not in (BOOL, NULL):
            raise self.error(
                result,
                f"a filter must be a condition (a comparison, a boolean field or function), "
                f"found {self.describe(result)}",
            )
        return self.condition(result).q

    def value(self, node: ast.Node) -> Expression:
        result = self.compile(node)
        if isinstance(result, Cond):
            if result.value is not None:
                return Value(result.value, output_field=BooleanField())
            return Case(
                When(result.q, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        if result.kind == LIST:
            raise self.error(result, "a list can only be the second argument of IN")
        if result.constant:
            return self.sql(result)
        if result.field is not None:
            return ExpressionWrapper(result.expr, output_field=result.field)
        return result.expr

    # -- tree walk -------------------------------------------------------------------------

    def compile(self, node: ast.Node) -> Operand | Cond:
        result = self._compile(node)
        built = result.q if isinstance(result, Cond) else result.expr
        if built is not None:
            depth, size = self.cost(built)
            if depth > SQL_DEPTH_BUDGET or size > SQL_SIZE_BUDGET:
                raise self.error(node, "the expression is too complex")
        return result

    def cost(self, built: Any) -> tuple[int, int]:
        """Estimated (SQL nesting, SQL size) of an ORM object, counting shared parts as often
        as they are rendered (memoised, so it stays linear)."""
        key = id(built)
        known = self._costs.get(key)
        if known is not None:
            return known[1]
        if isinstance(built, Q):
            children = [child for child in built.children if not isinstance(child, tuple)]
            extra = len(built.children) - len(children)
        elif hasattr(built, "get_source_expressions"):
            children = [child for child in built.get_source_expressions() if child is not None]
            rhs = getattr(built, "rhs", None)
            extra = len(rhs) if isinstance(rhs, (list, tuple)) else 0
        else:
            children, extra = [], 0
        costs = [self.cost(child) for child in children]
        depth = _weight(built) + max((c[0] for c in costs), default=0)
        size = 1 + extra + sum(c[1] for c in costs)
        self._costs[key] = (built, (depth, size))  # keeps ``built`` alive: ids stay unique
        return depth, size

    def _compile(self, node: ast.Node) -> Operand | Cond:
        if isinstance(node, ast.Number):
            return constant(node, INT if isinstance(node.value, int) else DEC, node.value)
        if isinstance(node, ast.Text):
            return constant(node, TEXT, node.value)
        if isinstance(node, ast.Boolean):
            return constant(node, BOOL, node.value)
        if isinstance(node, ast.Null):
            return null(node)
        if isinstance(node, ast.List):
            items = []
            for item in node.items:
                compiled = self.compile(item)
                if isinstance(compiled, Cond) or compiled.kind in (LIST, JSON):
                    raise self.error(item, "list items must be values")
                items.append(compiled)
            return Operand(LIST, node, items=tuple(items))
        if isinstance(node, ast.FieldRef):
            return self.field(node)
        if isinstance(node, ast.Unary):
            return self.unary(node)
        if isinstance(node, ast.Binary):
            left, right = self.compile(node.left), self.compile(node.right)
            if node.op in _LOOKUPS:
                return self.compare(node.op, left, right, node)
            return self.arithmetic(node.op, left, right, node)
        if isinstance(node, ast.Logical):
            conditions = [self.condition(self.compile(item)) for item in node.items]
            return self.all_of(conditions, node) if node.op == "&&" else self.any_of(
                conditions, node
            )
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(node, "unsupported syntax")  # pragma: no cover

    def field(self, node: ast.FieldRef) -> Operand:
        dotted = node.dotted
        label = dotted if node.scope == "this" else f"lookup.{dotted}"
        if self.item_scope is not None:
            if node.scope == "this" and node.path == ("this",) and self.item is not None:
                return replace(self.item, node=node)
            raise self.error(
                node, f"inside {self.item_scope} only 'this' (the list item) can be referenced, "
                      f"not '{label}'"
            )
        if any("__" in segment for segment in node.path):
            raise self.error(node, f"unknown field '{label}'", InvalidField, field=label)
        try:
            if node.scope == "lookup":
                resolve = getattr(self.resolver, "resolve_lookup", None)
                if resolve is None:
                    raise InvalidField(f"lookup fields are not available here ('{label}')")
                orm_path, model_field = resolve(node.path)
            else:
                orm_path, model_field = self.resolver.resolve(node.path)
        except AgnostAPIError as exc:
            # The resolver's own error (any class), with the position added.
            message = f"{exc.message.rstrip('.') or f'unknown field {label!r}'} at position {node.pos}"
            details = {**(exc.details or {}), "position": node.pos, "expression": self.source}
            details.setdefault("field", label)
            try:
                error = type(exc)(message, code=exc.code, details=details,
                                  status_code=exc.status_code)
            except TypeError:  # a subclass with another constructor
                exc.details = details
                raise
            raise error from None
        if getattr(model_field, "many_to_many", False) or getattr(
            model_field, "one_to_many", False
        ):
            raise self.error(
                node, f"the field '{label}' holds many values", InvalidField, field=label
            )
        value_field = model_field
        nullable = bool(getattr(model_field, "null", True)) or "__" in orm_path
        while getattr(value_field, "is_relation", False) and getattr(
            value_field, "target_field", None
        ):
            value_field = value_field.target_field
            nullable = nullable or bool(value_field.null)
        reference = getattr(self.resolver, "reference", None)
        expr = reference(orm_path, node.scope) if reference else F(orm_path)
        return Operand(
            field_kind(value_field), node, expr=expr, nullable=nullable, field=value_field,
            label=label,
        )

    # -- conversions -----------------------------------------------------------------------

    def sql(self, operand: Operand, kind: str | None = None) -> Expression:
        """The ORM expression of an operand (constants become parameters)."""
        if not operand.constant:
            return operand.expr
        value = operand.value
        kind = operand.kind if operand.kind != NULL else (kind or TEXT)
        if value is None:
            return Value(None, output_field=output_field(kind))
        if kind in NUMERIC and isinstance(value, int) and not isinstance(value, bool):
            if INT64_MIN <= value <= INT64_MAX:
                return Value(value, output_field=IntegerField())
            value = DECIMALS.create_decimal(value)
        if isinstance(value, Decimal):
            return Value(value, output_field=DecimalField())
        if isinstance(value, float):
            return Value(value, output_field=FloatField())
        return Value(value, output_field=output_field(kind))

    def condition(self, item: Operand | Cond) -> Cond:
        """A value used as a condition (booleans only)."""
        if isinstance(item, Cond):
            return item
        if item.kind == NULL:
            return truth(item.node, False)
        if item.kind != BOOL:
            raise self.error(
                item,
                f"expected a condition (a comparison, a boolean field or function), found "
                f"{self.describe(item)}",
            )
        if item.constant:
            return truth(item.node, item.value)
        return self.lookup("==", item, Value(True, output_field=BooleanField()), [item],
                           item.node)

    def text(self, item: Operand | Cond) -> Operand:
        """The text form of a value (TOTEXT): numbers as digits, booleans 'true'/'false'."""
        if isinstance(item, Cond):
            if item.value is not None:
                return constant(item.node, TEXT, "true" if item.value else "false")
            return Operand(TEXT, item.node, expr=Case(
                When(item.q, then=Value("true")), default=Value("false"),
                output_field=TextField(),
            ))
        if item.kind in (TEXT, NULL):
            return item
        if item.kind == LIST:
            raise self.error(item, "a list cannot be converted to text")
        if item.constant:
            value = item.value
            if item.kind in NUMERIC:
                return constant(item.node, TEXT, format_number(value))
            if item.kind == BOOL:
                return constant(item.node, TEXT, "true" if value else "false")
            if isinstance(value, (datetime.date, datetime.time)):
                return constant(item.node, TEXT, value.isoformat())
            return constant(item.node, TEXT, str(value))
        if item.kind == BOOL:
            expr = Case(
                When(Q(Exact(item.expr, Value(True))), then=Value("true")),
                When(Q(Exact(item.expr, Value(False))), then=Value("false")),
                default=Value(None),
                output_field=TextField(),
            )
        else:
            expr = Cast(item.expr, output_field=TextField())
        return Operand(TEXT, item.node, expr=expr, nullable=item.nullable)

    def coerce(self, item: Operand, kind: str, target: Operand) -> Any:
        """The constant ``item`` as a Python value of ``kind`` (to meet ``target``)."""
        value, have = item.value, item.kind
        if target.is_item and not (kind == have or (kind in NUMERIC and have in NUMERIC)):
            # List items are compared type-exactly: no text <-> number/date conversion.
            raise self.mismatch(target, item)
        if kind in NUMERIC:
            if have in NUMERIC:
                number = value
            elif have == TEXT and (number := parse_number(value)) is not None:
                pass
            else:
                raise self.mismatch(target, item)
            if kind == FLOAT:
                return float(number)
            if kind == DEC:
                return Decimal(number)
            return number if isinstance(number, int) else to_int_if_exact(number)
        if kind == have and kind in (TEXT, BOOL, DATETIME, DATE, TIME):
            return value
        if kind == DATETIME:
            if have == DATE:
                return datetime.datetime.combine(value, datetime.time(), tzinfo=UTC)
            if have == TEXT:
                parsed = parse_datetime_text(value)
                if parsed is None:
                    raise self.error(item, f"{value!r} is not a valid datetime (ISO 8601, e.g. "
                                           f"'2023-01-01T00:00:00Z')")
                return parsed
        if kind == DATE:
            if have == DATETIME:
                return value.astimezone(UTC).date()
            if have == TEXT:
                parsed = parse_date_text(value)
                if parsed is None:
                    raise self.error(item, f"{value!r} is not a valid date (ISO 8601, e.g. "
                                           f"'2023-01-01')")
                return parsed
        if kind == TIME and have == TEXT:
            parsed = parse_time_text(value)
            if parsed is None:
                raise self.error(item, f"{value!r} is not a valid time (e.g. '13:30:00')")
            return parsed
        if kind == OTHER and target.field is not None and have in (TEXT, INT, DEC, BOOL):
            try:
                return target.field.to_python(value)
            except Exception:  # noqa: BLE001 - any conversion failure is a client error
                raise self.mismatch(target, item) from None
        raise self.mismatch(target, item)

    def mismatch(self, target: Operand | Cond, item: Operand | Cond,
                 at: ast.Node | None = None) -> InvalidExpression:
        return self.error(
            at or item, f"cannot compare {self.describe(target)} with {self.describe(item)}"
        )

    # -- conditions ------------------------------------------------------------------------

    def lookup(self, op: str, left: Operand, rhs: Any, operands: list[Operand],
               node: ast.Node, lhs: Any = None) -> Cond:
        """``left <op> rhs`` as a two-valued condition (NULL operands make it false)."""
        q = Q(_LOOKUPS[op](left.expr if lhs is None else lhs, rhs))
        for operand in operands:
            if operand.nullable and not operand.constant:
                q &= Q(IsNull(operand.expr, False))
        result = Cond(q, node)
        return self.negate(result) if op == "!=" else result

    def not_null(self, item: Operand, node: ast.Node) -> Cond:
        if item.constant:
            return truth(node, item.value is not None)
        if not item.nullable:
            return truth(node, True)
        return Cond(Q(IsNull(item.expr, False)), node)

    def negate(self, item: Cond, node: ast.Node | None = None) -> Cond:
        node = node or item.node
        if item.value is not None:
            return truth(node, not item.value)
        return Cond(~item.q, node)

    def all_of(self, items: list[Cond], node: ast.Node) -> Cond:
        if any(item.value is False for item in items):
            return truth(node, False)
        rest = [item for item in items if item.value is None]
        if not rest:
            return truth(node, True)
        q = rest[0].q
        for item in rest[1:]:
            q &= item.q
        return Cond(q, node)

    def any_of(self, items: list[Cond], node: ast.Node) -> Cond:
        if any(item.value is True for item in items):
            return truth(node, True)
        rest = [item for item in items if item.value is None]
        if not rest:
            return truth(node, False)
        q = rest[0].q
        for item in rest[1:]:
            q |= item.q
        return Cond(q, node)

    def compare(self, op: str, left: Operand | Cond, right: Operand | Cond,
                node: ast.Node) -> Cond:
        if isinstance(left, Cond) or isinstance(right, Cond):
            return self.compare_conditions(op, left, right, node)
        for side in (left, right):
            if side.kind == LIST:
                raise self.error(side, "a list can only be the second argument of IN")
        if NULL in (left.kind, right.kind):
            if op not in ("==", "!="):
                raise self.error(node, f"null can only be compared with == or != (not {op})")
            other = right if left.kind == NULL else left
            is_null = self.negate(self.not_null(other, node))
            return is_null if op == "==" else self.negate(is_null)
        for side, other in ((left, right), (right, left)):
            if side.is_item and not side.constant and other.constant and not (
                other.kind == side.kind or (other.kind in NUMERIC and side.kind in NUMERIC)
            ):
                # A list item against a literal of another JSON type (``this == 5`` for a
                # text item): never equal, never ordered (compared as JSON values).
                return truth(node, op == "!=")
        for side in (left, right):
            if side.kind == JSON:
                raise self.error(side, f"{self.describe(side)} can only be used in IN(...), "
                                       f"EXISTS(...) or compared with null")
        if left.constant and right.constant:
            return self.fold_comparison(op, left, right, node)
        if right.constant:
            return self.compare_constant(op, left, right, node)
        if left.constant:
            return self.compare_constant(FLIPPED[op], right, left, node)
        return self.compare_expressions(op, left, right, node)

    def compare_conditions(self, op: str, left: Operand | Cond, right: Operand | Cond,
                           node: ast.Node) -> Cond:
        for side, other in ((left, right), (right, left)):
            if isinstance(side, Operand) and side.kind not in (BOOL, NULL):
                raise self.mismatch(other, side)
        if op not in ("==", "!="):
            raise self.error(node, f"conditions can only be compared with == or != (not {op})")
        if any(isinstance(side, Operand) and side.kind == NULL for side in (left, right)):
            return truth(node, op == "!=")  # a condition is never null
        a, b = self.condition(left), self.condition(right)
        if a.value is not None or b.value is not None:
            known, other = (a, b) if a.value is not None else (b, a)
            same = other if known.value else self.negate(other, node)
        else:
            both = a.q & b.q
            neither = ~a.q & ~b.q
            same = Cond(both | neither, node)
        return same if op == "==" else self.negate(same, node)

    def fold_comparison(self, op: str, left: Operand, right: Operand, node: ast.Node) -> Cond:
        kinds = {left.kind, right.kind}
        if kinds <= NUMERIC:
            a, b = Decimal(left.value), Decimal(right.value)
        elif len(kinds) == 1 and kinds <= {TEXT, BOOL, DATETIME, DATE, TIME}:
            a, b = left.value, right.value
        elif TEXT in kinds and len(kinds & TEMPORAL) == 1:
            kind = next(iter(kinds & TEMPORAL))
            a = self.coerce(left, kind, right)
            b = self.coerce(right, kind, left)
        elif kinds == {DATE, DATETIME}:
            a = self.coerce(left, DATE, right)
            b = self.coerce(right, DATE, left)
        else:
            raise self.mismatch(left, right)
        if BOOL in kinds and op not in ("==", "!="):
            raise self.error(node, f"booleans can only be compared with == or != (not {op})")
        result = {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
        }[op]
        return truth(node, result)

    def compare_constant(self, op: str, item: Operand, other: Operand,
                         node: ast.Node) -> Cond:
        """``item <op> other`` where ``other`` is a non-null constant."""
        kind = item.kind
        if kind in (BOOL, OTHER) and op not in ("==", "!="):
            raise self.error(node, f"{self.describe(item)} can only be compared with == or != "
                                   f"(not {op})")
        lhs = None
        if kind in NUMERIC and item.field is None:
            # A computed number: compare exactly, in numeric on PostgreSQL.
            lhs = ToNumeric(item.expr)
            rhs = Value(self.coerce(other, DEC, item), output_field=DecimalField())
            return self.lookup(op, item, rhs, [item], node, lhs=lhs)
        value = self.coerce(other, kind, item)
        if kind == INT and isinstance(value, Decimal):
            # Not an integer, or beyond 64 bits: compare as an exact number.
            rhs = Value(value, output_field=DecimalField())
        else:
            rhs = Value(value, output_field=item.field or output_field(kind))
        return self.lookup(op, item, rhs, [item], node, lhs=lhs)

    def compare_expressions(self, op: str, left: Operand, right: Operand,
                            node: ast.Node) -> Cond:
        kinds = {left.kind, right.kind}
        lhs, rhs = left.expr, right.expr
        if kinds <= NUMERIC:
            if len(kinds) > 1 or left.field is None or right.field is None:
                lhs, rhs = ToNumeric(lhs), ToNumeric(rhs)
        elif kinds == {DATE, DATETIME}:
            if left.kind == DATETIME:
                lhs = TruncDate(lhs, tzinfo=UTC)
            else:
                rhs = TruncDate(rhs, tzinfo=UTC)
        elif len(kinds) == 1 and kinds <= {TEXT, BOOL, DATETIME, DATE, TIME, OTHER}:
            if kinds & {BOOL, OTHER} and op not in ("==", "!="):
                raise self.error(node, f"{self.describe(left)} can only be compared with == or "
                                       f"!= (not {op})")
            if OTHER in kinds and (
                left.field is None
                or right.field is None
                or left.field.get_internal_type() != right.field.get_internal_type()
            ):
                raise self.mismatch(left, right, node)
        else:
            raise self.mismatch(left, right, node)
        return self.lookup(op, left, rhs, [left, right], node, lhs=lhs)

    # -- values ----------------------------------------------------------------------------

    def unary(self, node: ast.Unary) -> Operand | Cond:
        operand = self.compile(node.operand)
        if node.op == "!":
            return self.negate(self.condition(operand), node)
        if isinstance(operand, Cond) or operand.kind not in NUMERIC | {NULL}:
            raise self.error(operand, f"unary '{node.op}' expects a number, found "
                                      f"{self.describe(operand)}")
        if node.op == "+" or operand.kind == NULL:
            return operand
        zero = constant(node, INT, 0)
        return self.arithmetic("-", zero, operand, node)

    def arithmetic(self, op: str, left: Operand | Cond, right: Operand | Cond,
                   node: ast.Node) -> Operand:
        if op == "+" and any(
            isinstance(side, Operand) and side.kind == TEXT for side in (left, right)
        ):
            return self.concat([left, right], node)
        for side in (left, right):
            if isinstance(side, Cond) or side.kind not in NUMERIC | {NULL}:
                raise self.error(side, f"operator '{op}' expects numbers, found "
                                       f"{self.describe(side)}")
        if NULL in (left.kind, right.kind):
            return null(node)
        if left.constant and right.constant:
            return self.fold_arithmetic(op, left.value, right.value, node)
        kind = arithmetic_kind(op, [left.kind, right.kind])
        expr = Arithmetic(self.sql(left), op, self.sql(right), output_field=output_field(kind))
        return Operand(kind, node, expr=expr, nullable=left.nullable or right.nullable or
                       op == "/")

    def fold_arithmetic(self, op: str, a: int | Decimal, b: int | Decimal,
                        node: ast.Node) -> Operand:
        try:
            if op == "/":
                if b == 0:
                    return null(node)
                return constant(node, DEC, DECIMALS.divide(Decimal(a), Decimal(b)))
            if isinstance(a, int) and isinstance(b, int):
                result = {"+": a + b, "-": a - b, "*": a * b}[op]
                if INT64_MIN <= result <= INT64_MAX:
                    return constant(node, INT, result)
                return constant(node, DEC, DECIMALS.create_decimal(result))
            method = {"+": DECIMALS.add, "-": DECIMALS.subtract, "*": DECIMALS.multiply}[op]
            return constant(node, DEC, method(Decimal(a), Decimal(b)))
        except ArithmeticError:
            raise self.error(node, "the result of this operation is out of range") from None

    def concat(self, items: list[Operand | Cond], node: ast.Node) -> Operand:
        texts: list[Operand] = []
        for item in items:
            text = self.text(item)
            texts.extend(text.parts or [text])
        merged: list[Operand] = []
        for item in texts:  # fold neighbouring constants
            if item.constant and merged and merged[-1].constant:
                joined = (merged[-1].value or "") + (item.value or "")
                merged[-1] = constant(merged[-1].node, TEXT, joined)
            else:
                merged.append(item)
        if len(merged) == 1:
            only = merged[0]
            if only.constant:
                return constant(node, TEXT, only.value or "")
            return Operand(TEXT, node, expr=Concat(only.expr, Value(""),
                                                   output_field=TextField()))
        return Operand(
            TEXT, node, expr=self._concat_tree([self.sql(item, TEXT) for item in merged]),
            parts=tuple(merged),
        )

    def _concat_tree(self, exprs: list[Any]) -> Any:
        # Balanced, so a long CONCAT(...) does not nest deeply.
        if len(exprs) == 1:
            return exprs[0]
        middle = len(exprs) // 2
        return Concat(self._concat_tree(exprs[:middle]), self._concat_tree(exprs[middle:]),
                      output_field=TextField())

    # -- functions -------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Operand | Cond:
        function = self.functions.get(node.name)
        if function is None:
            if node.name in self.unsupported:
                raise self.error(
                    node, f"the function {node.name} is not supported", UnsupportedFunction,
                    function=node.name,
                )
            raise self.error(node, f"unknown function {node.written}", InvalidFunction,
                             function=node.written)
        count = len(node.args)
        if count < function.min_args or (
            function.max_args is not None and count > function.max_args
        ):
            raise self.error(node, f"{node.name} expects {function.arity_text()}, got {count}")
        if function.lazy:  # the handler compiles its arguments itself
            return function.handler(self, node, list(node.args))
        args = [self.compile(arg) for arg in node.args]
        return function.handler(self, node, args)



def _weight(built: Any) -> int:
    """Parser-stack slots (SQLite's is about 100 deep) one level of ``built`` may use."""
    if isinstance(built, Q):
        return 3 if len(built.children) > 1 or built.negated else 0
    if isinstance(built, (Case,)):
        return 6
    if isinstance(built, (ExpressionWrapper, ToNumeric)):
        return 0
    if isinstance(built, (Lookup, Func, CombinedExpression, When)):
        return 4
    return 1

