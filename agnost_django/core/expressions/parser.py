"""Parser of the Altogic expression language (wire protocol §4.2) into an :mod:`.ast` tree.

Grammar (EBNF; tokens are described in :mod:`.lexer`), lowest precedence first, every
binary level left-associative::

    expression     = or ;
    or             = and { "||" and } ;
    and            = equality { "&&" equality } ;
    equality       = relational { ( "==" | "!=" ) relational } ;
    relational     = additive { ( "<" | "<=" | ">" | ">=" ) additive } ;
    additive       = multiplicative { ( "+" | "-" ) multiplicative } ;
    multiplicative = unary { ( "*" | "/" ) unary } ;
    unary          = ( "+" | "-" | "!" ) unary | primary ;
    primary        = NUMBER | TEXT | "true" | "false" | "null"
                   | "(" expression ")"
                   | "[" [ expression { "," expression } ] "]"
                   | IDENT "(" [ expression { "," expression } ] ")"
                   | [ ( "this" | "lookup" ) "." ] IDENT { "." IDENT } ;

Notes:

* ``true``, ``false`` and ``null`` are case-insensitive keywords; function names are
  case-insensitive (the tree holds them upper-cased); field names are case-sensitive.
* ``this.`` is optional and stripped (``this.tags`` is ``tags``); ``lookup.`` marks a field of
  the candidate object of a complex lookup (``FieldRef.scope == "lookup"``).
* An IDENT immediately followed by ``(`` is a function call, so a field cannot be called.
* Limits, read at use time from :data:`~agnost_django.core.conf.core_settings`: the text may
  hold at most ``EXPRESSION_MAX_LENGTH`` characters, and both the tree height and the
  nesting of parentheses, brackets, calls and unary operators at most
  ``EXPRESSION_MAX_DEPTH`` levels (a leaf is one level; each operator, call or list adds one;
  an ``&&``/``||`` chain adds one whatever its length). Exceeding them is an
  :class:`InvalidExpression`, never a ``RecursionError``.
* Every error is an :class:`InvalidExpression` whose ``details`` hold ``position`` (0-based
  character offset) and ``expression``; its message ends with "at position N".
"""

from __future__ import annotations

import dataclasses

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import InvalidExpression

from . import ast
from .lexer import END, IDENT, NUMBER, OP, TEXT, Token, error, tokenize

_KEYWORDS = {"true", "false", "null"}
_SCOPES = {"this", "lookup"}


def parse(text: str) -> ast.Node:
    """The syntax tree of ``text``; raises :class:`InvalidExpression`."""
    if not isinstance(text, str):
        raise InvalidExpression(
            "The expression must be text.", details={"position": 0, "expression": repr(text)}
        )
    max_length = core_settings.EXPRESSION_MAX_LENGTH
    if len(text) > max_length:
        raise InvalidExpression(
            f"the expression is too long ({len(text)} characters, at most {max_length}) "
            f"at position {max_length}",
            details={"position": max_length, "expression": text[:max_length]},
        )
    if not text.strip():
        raise error(text, 0, "empty expression")
    tree = _Parser(text, core_settings.EXPRESSION_MAX_DEPTH).parse()
    return dataclasses.replace(tree, source=text)


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.max_depth = max_depth
        self.nesting = 0

    # -- token helpers -------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != END:
            self.index += 1
        return token

    def at(self, *ops: str) -> bool:
        return self.token.kind == OP and self.token.value in ops

    def expect(self, op: str) -> Token:
        if not self.at(op):
            raise self.error(f"expected '{op}'", self.token, found=True)
        return self.advance()

    def error(self, message: str, token: Token, found: bool = False) -> InvalidExpression:
        suffix = f" (found {token.describe()})" if found else ""
        return error(self.text, token.pos, message, suffix)

    def node(self, cls: type[ast.Node], pos: int, *children: ast.Node, **fields) -> ast.Node:
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > self.max_depth:
            raise error(self.text, pos, f"the expression is nested too deeply (more than "
                        f"{self.max_depth} levels)")
        return cls(pos, depth=depth, **fields)

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > self.max_depth:
            raise error(self.text, token.pos, f"the expression is nested too deeply (more "
                        f"than {self.max_depth} levels)")

    def leave(self) -> None:
        self.nesting -= 1

    # -- grammar -------------------------------------------------------------------------

    def parse(self) -> ast.Node:
        tree = self.expression()
        if self.token.kind != END:
            raise self.error(f"unexpected {self.token.describe()}", self.token)
        return tree

    def expression(self) -> ast.Node:
        return self.logical("||", self.conjunction)

    def conjunction(self) -> ast.Node:
        return self.logical("&&", self.equality)

    def logical(self, op: str, operand) -> ast.Node:
        first = operand()
        if not self.at(op):
            return first
        pos = self.token.pos
        items = [first]
        while self.at(op):
            self.advance()
            items.append(operand())
        return self.node(ast.Logical, pos, *items, op=op, items=tuple(items))

    def binary(self, ops: tuple[str, ...], operand) -> ast.Node:
        left = operand()
        while self.at(*ops):
            token = self.advance()
            right = operand()
            left = self.node(ast.Binary, token.pos, left, right, op=token.value, left=left,
                             right=right)
        return left

    def equality(self) -> ast.Node:
        return self.binary(("==", "!="), self.relational)

    def relational(self) -> ast.Node:
        return self.binary(("<", "<=", ">", ">="), self.additive)

    def additive(self) -> ast.Node:
        return self.binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> ast.Node:
        return self.binary(("*", "/"), self.unary)

    def unary(self) -> ast.Node:
        if self.at("+", "-", "!"):
            token = self.advance()
            self.enter(token)
            operand = self.unary()
            self.leave()
            return self.node(ast.Unary, token.pos, operand, op=token.value, operand=operand)
        return self.primary()

    def primary(self) -> ast.Node:
        token = self.token
        if token.kind == NUMBER:
            self.advance()
            return ast.Number(token.pos, value=token.value)
        if token.kind == TEXT:
            self.advance()
            return ast.Text(token.pos, value=token.value)
        if token.kind == IDENT:
            return self.identifier()
        if self.at("("):
            self.advance()
            self.enter(token)
            inner = self.expression()
            self.expect(")")
            self.leave()
            return inner
        if self.at("["):
            self.advance()
            self.enter(token)
            items = self.arguments("]")
            self.leave()
            return self.node(ast.List, token.pos, *items, items=tuple(items))
        if token.kind == END:
            raise self.error("unexpected end of the expression", token)
        raise self.error(f"unexpected {token.describe()}", token)

    def arguments(self, closing: str) -> list[ast.Node]:
        items: list[ast.Node] = []
        if self.at(closing):
            self.advance()
            return items
        while True:
            items.append(self.expression())
            if self.at(","):
                self.advance()
                continue
            if self.at(closing):
                self.advance()
                return items
            raise self.error(f"expected ',' or '{closing}'", self.token, found=True)

    def identifier(self) -> ast.Node:
        token = self.advance()
        name: str = token.value
        if self.at("("):
            self.advance()
            self.enter(token)
            args = self.arguments(")")
            self.leave()
            return self.node(ast.Call, token.pos, *args, name=name.upper(), args=tuple(args),
                             written=name)
        lowered = name.lower()
        if lowered in _KEYWORDS:
            if lowered == "null":
                return ast.Null(token.pos)
            return ast.Boolean(token.pos, value=lowered == "true")
        scope, path = "this", [name]
        if name in _SCOPES and self.at("."):
            self.advance()
            scope, path = name, [self.segment()]
        while self.at("."):
            self.advance()
            path.append(self.segment())
        return ast.FieldRef(token.pos, path=tuple(path), scope=scope)

    def segment(self) -> str:
        token = self.token
        if token.kind != IDENT:
            raise self.error("expected a field name", token, found=True)
        self.advance()
        return token.value
