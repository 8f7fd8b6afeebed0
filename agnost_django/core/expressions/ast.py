"""The syntax tree the parser builds and the compiler walks.

Every node is an immutable dataclass carrying ``pos``, the 0-based character offset in the
source text that error messages point at (for an operator node, the operator; for a call,
the function name), and ``depth``, its height in the tree (a leaf is 1). ``&&`` and ``||``
chains are single n-ary :class:`Logical` nodes, so a long ``a || b || c ...`` stays shallow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Node:
    pos: int
    depth: int = field(default=1, kw_only=True)
    #: The parsed text, on the root node :func:`~.parser.parse` returns (for error details).
    source: str = field(default="", kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Number(Node):
    """A number literal: ``int`` when written without ``.`` or exponent, else ``Decimal``."""

    value: int | Decimal = 0


@dataclass(frozen=True, slots=True)
class Text(Node):
    value: str = ""


@dataclass(frozen=True, slots=True)
class Boolean(Node):
    value: bool = False


@dataclass(frozen=True, slots=True)
class Null(Node):
    pass


@dataclass(frozen=True, slots=True)
class List(Node):
    items: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    """A field path; ``scope`` is ``"this"`` (the default) or ``"lookup"``."""

    path: tuple[str, ...] = ()
    scope: str = "this"

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``+x``, ``-x`` or ``!x``."""

    op: str = "!"
    operand: Node | None = None


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """``* / + - < <= > >= == !=`` (``pos`` is the operator's)."""

    op: str = "=="
    left: Node | None = None
    right: Node | None = None


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """An ``&&`` (``op == "&&"``) or ``||`` chain of two or more operands."""

    op: str = "&&"
    items: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``NAME(arg, ...)``; ``name`` is upper-cased (function names are case-insensitive)."""

    name: str = ""
    args: tuple[Node, ...] = ()
    written: str = ""
