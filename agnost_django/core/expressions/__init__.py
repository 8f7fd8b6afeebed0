"""The Altogic expression language (wire protocol §4.2), parsed and compiled to the ORM.

Clients send filters and group/compute expressions as text::

    (weight / quantity > 2 && name == 'metal') || !EXISTS(weight)

:func:`parse` turns the text into a syntax tree (:mod:`.parser` holds the grammar);
:func:`compile_filter` turns text or a tree into a ``Q`` for ``QuerySet.filter()``, and
:func:`compile_value` into an ORM expression with its ``output_field`` set (for grouping and
computations). Field paths are resolved only through a :class:`FieldResolver` —
:class:`ModelFieldResolver` is a ready-made one — so a client can reach nothing the resolver
does not allow, and client text never becomes SQL, a column alias or a keyword argument.

Errors are :class:`~agnost_django.core.exceptions.AgnostAPIError` subclasses whose
``details`` hold ``position`` (0-based character offset) and ``expression``:
:class:`InvalidExpression` (400 ``invalid_expression``: syntax, types, arity, limits),
:class:`InvalidFunction` (400 ``invalid_function``, plus ``details.function``),
:class:`InvalidField` (400 ``invalid_field``, plus ``details.field``) and
:class:`~agnost_django.core.exceptions.UnsupportedFunction` (501 ``unsupported_function``,
plus ``details.function``). The semantics (types, NULLs, escapes, case) are documented in
:mod:`.compiler`, the functions in :mod:`.functions`.

Settings (read at use time): ``AGNOST_CORE_EXPRESSION_MAX_LENGTH`` (4096 characters) and
``AGNOST_CORE_EXPRESSION_MAX_DEPTH`` (32 levels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from agnost_django.core.exceptions import (
    InvalidExpression,
    InvalidField,
    InvalidFunction,
    UnsupportedFunction,
)

from . import ast
from .compiler import Compiler
from .functions import FUNCTIONS, UNSUPPORTED
from .parser import parse
from .resolvers import FieldResolver, ModelFieldResolver

if TYPE_CHECKING:
    from django.db.models import Expression

__all__ = [
    "FUNCTIONS",
    "UNSUPPORTED",
    "FieldResolver",
    "InvalidExpression",
    "InvalidField",
    "InvalidFunction",
    "ModelFieldResolver",
    "UnsupportedFunction",
    "compile_filter",
    "compile_value",
    "parse",
]


def _tree(text_or_node: str | ast.Node) -> tuple[ast.Node, str]:
    if isinstance(text_or_node, ast.Node):
        return text_or_node, text_or_node.source
    return parse(text_or_node), text_or_node


def compile_filter(text_or_node: str | ast.Node, resolver: FieldResolver) -> Q:
    """A ``Q`` usable in ``QuerySet.filter()`` for a boolean expression.

    Empty or blank text means "no filter" (wire protocol §4.1) and gives ``Q()``."""
    if isinstance(text_or_node, str) and not text_or_node.strip():
        return Q()
    node, source = _tree(text_or_node)
    return Compiler(resolver, source, FUNCTIONS, UNSUPPORTED).filter(node)


def compile_value(text_or_node: str | ast.Node, resolver: FieldResolver) -> Expression:
    """An ORM expression (``output_field`` set) computing the expression's value; a
    condition becomes a boolean value."""
    node, source = _tree(text_or_node)
    return Compiler(resolver, source, FUNCTIONS, UNSUPPORTED).value(node)
