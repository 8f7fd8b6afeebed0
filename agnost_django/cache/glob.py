"""Redis glob patterns (``h?llo``, ``h*llo``, ``h[ae]llo``, ``h[^e]llo``, ``h[a-b]llo``,
``\\*`` for a literal) for backends that cannot match them server-side."""

from __future__ import annotations

import re


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Redis glob to an anchored regular expression; raises ``ValueError`` on an
    unterminated ``[`` class."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = i + 1
            if end < n and pattern[end] == "^":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            if end >= n:
                raise ValueError(f"unterminated [ at position {i}")
            body = pattern[i + 1 : end]
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            out.append("[" + ("^" if negate else "") + _class_body(body) + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _class_body(body: str) -> str:
    parts = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            parts.append(re.escape(body[i + 1]))
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            low, high = sorted((body[i], body[i + 2]))
            parts.append(f"{re.escape(low)}-{re.escape(high)}")
            i += 3
        else:
            parts.append(re.escape(body[i]))
            i += 1
    return "".join(parts)


def escape(text: str) -> str:
    """Escape glob metacharacters so that ``text`` matches only itself."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)
