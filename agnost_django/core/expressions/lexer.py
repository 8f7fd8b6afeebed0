"""Tokenizer of the expression language.

Tokens:

* ``NUMBER`` — ``134``, ``56.98``, ``.5``, ``1e3``, ``2.5E-3`` (no sign: ``-`` is an operator).
  The value is an ``int`` when written with digits only, else a ``Decimal``; magnitudes must
  lie in ``[1e-16, 1e16)`` (or be zero), which keeps every arithmetic a filter can spell
  within the range of both databases.
* ``TEXT`` — ``'single'`` or ``"double"`` quoted, with the escapes ``\\\\ \\' \\" \\n \\t \\r
  \\b \\f \\/`` and ``\\uXXXX``; any other escape is an error.
* ``IDENT`` — ``[A-Za-z_][A-Za-z0-9_]*`` (``true``, ``false``, ``null``, ``this``, ``lookup``
  and function names are identifiers the parser interprets).
* ``OP`` — ``( ) [ ] , . + - * / ! < <= > >= == != && ||``.
* ``END`` — the end of the text.

Whitespace between tokens is ignored. NUL characters and lone surrogates are refused
anywhere (PostgreSQL cannot store them, and they have no use in a filter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from agnost_django.core.exceptions import InvalidExpression

NUMBER, TEXT, IDENT, OP, END = "number", "text", "identifier", "operator", "end"

MAX_NUMBER = Decimal("1e16")
MIN_NUMBER = Decimal("1e-16")

_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_DIGITS = frozenset("0123456789")
_TWO_CHAR_OPS = {"<=", ">=", "==", "!=", "&&", "||"}
_ONE_CHAR_OPS = set("()[],.+-*/!<>")
_MISTAKES = {"=": "==", "&": "&&", "|": "||"}
_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "/": "/",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: Any
    pos: int

    def describe(self) -> str:
        if self.kind == END:
            return "the end of the expression"
        if self.kind == TEXT:
            return "a text literal"
        if self.kind == NUMBER:
            return f"the number {self.value}"
        return repr(self.value)


def error(text: str, pos: int, message: str, suffix: str = "") -> InvalidExpression:
    """An :class:`InvalidExpression` "<message> at position <pos><suffix>"."""
    return InvalidExpression(
        f"{message} at position {pos}{suffix}", details={"position": pos, "expression": text}
    )


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``END`` token; raises InvalidExpression."""
    tokens: list[Token] = []
    pos, length = 0, len(text)
    while pos < length:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if char in "'\"":
            value, pos_after = _text(text, pos)
            tokens.append(Token(TEXT, value, pos))
            pos = pos_after
            continue
        if char in _DIGITS or (char == "." and text[pos + 1 : pos + 2] in _DIGITS):
            match = _NUMBER_RE.match(text, pos)
            tokens.append(Token(NUMBER, _number(text, pos, match.group()), pos))
            pos = match.end()
            continue
        match = _IDENT_RE.match(text, pos)
        if match:
            tokens.append(Token(IDENT, match.group(), pos))
            pos = match.end()
            continue
        pair = text[pos : pos + 2]
        if pair in _TWO_CHAR_OPS:
            tokens.append(Token(OP, pair, pos))
            pos += 2
            continue
        if char in _ONE_CHAR_OPS:
            tokens.append(Token(OP, char, pos))
            pos += 1
            continue
        if char in _MISTAKES:
            raise error(text, pos, f"unexpected '{char}' (did you mean '{_MISTAKES[char]}'?)")
        raise error(text, pos, f"unexpected character {_show(char)}")
    tokens.append(Token(END, None, length))
    return tokens


def _show(char: str) -> str:
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"


def _number(text: str, pos: int, written: str) -> int | Decimal:
    try:
        value = Decimal(written)
    except InvalidOperation:  # pragma: no cover - the pattern only matches valid numbers
        raise error(text, pos, f"invalid number {written!r}") from None
    if value and not (MIN_NUMBER <= abs(value) < MAX_NUMBER):
        raise error(text, pos, f"the number {written} is out of range (1e-16 to 1e16)")
    if "." in written or "e" in written or "E" in written:
        return value
    return int(value)


def _text(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    pos, length = start + 1, len(text)
    parts: list[str] = []
    while pos < length:
        char = text[pos]
        if char == quote:
            return "".join(parts), pos + 1
        if char == "\\":
            if pos + 1 >= length:
                break
            code = text[pos + 1]
            if code in _ESCAPES:
                parts.append(_ESCAPES[code])
                pos += 2
                continue
            if code == "u":
                digits = text[pos + 2 : pos + 6]
                if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                    char = chr(int(digits, 16))
                    if char == "\0" or "\ud800" <= char <= "\udfff":
                        raise error(text, pos, f"the escape \\u{digits} is not allowed")
                    parts.append(char)
                    pos += 6
                    continue
                raise error(text, pos, "invalid \\u escape (expected four hex digits)")
            raise error(text, pos, f"invalid escape \\{code} in text")
        if char == "\0" or "\ud800" <= char <= "\udfff":
            raise error(text, pos, f"character {_show(char)} is not allowed in text")
        parts.append(char)
        pos += 1
    raise error(text, start, f"unterminated text (no closing {quote})")
