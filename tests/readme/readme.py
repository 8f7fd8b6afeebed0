"""The code blocks of README.md and the markers that say how each is tested.

Every ```python and ```js block of the README is preceded by an HTML comment (invisible on
GitHub) on the line right above its opening fence:

* ``<!-- readme-test: js ID -->``: a client example, run in Node with the altogic client;
* ``<!-- readme-test: python ID -->``: a server-library example, run in ``manage.py shell``;
* ``<!-- readme-test: hooks ID -->``: code for ``myapp/agnost_hooks.py``, installed in the test
  server before it starts (the examples after it use what it registers);
* ``<!-- readme-test: install -->``: the host-project install, applied to a fresh
  ``django-admin startproject mysite``;
* ``<!-- readme-test: install-shell -->``: the shell commands of the host-project install,
  run in order around it (:func:`shell_commands`) by the packaged-install test;
* ``<!-- readme-test: fragment -->``: settings or code for a host, shown for reference and not
  run.

A python or js block without a marker, an unknown kind, a duplicate ID or a tested kind
without an ID is an error (:func:`problems`), so every example is classified on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

TESTED_KINDS = ("js", "python", "hooks")
KINDS = (*TESTED_KINDS, "install", "install-shell", "fragment")
CHECKED_LANGUAGES = ("python", "js")

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*readme-test:\s*(?P<body>.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    language: str  # the fence's info string: "python", "js", "json", ""
    code: str  # the block's text, without the fences, ending with a newline
    line: int  # 1-based line of the opening fence
    kind: str | None  # the marker's kind, None without a marker
    id: str | None  # the marker's ID (kinds js, python, hooks)
    marker: str | None  # the marker's text after "readme-test:"

    def __str__(self) -> str:
        label = f"{self.kind} {self.id}" if self.id else (self.kind or "unmarked")
        return f"README.md:{self.line} ({label})"


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the README, in order."""
    lines = (README.read_text() if text is None else text).splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        end = start + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        marker = _MARKER.match(lines[start - 1]) if start > 0 else None
        body = marker.group("body") if marker else None
        words = body.split() if body else []
        found.append(Block(
            language=match.group(1),
            code="\n".join(lines[start + 1:end]) + "\n",
            line=start + 1,
            kind=words[0] if words else None,
            id=words[1] if len(words) > 1 else None,
            marker=body,
        ))
        index = end + 1
    return found


def problems(all_blocks: list[Block]) -> list[str]:
    """What is wrong with the markers: unmarked examples, unknown kinds, missing or duplicate IDs."""
    found = []
    seen: set[str] = set()
    for block in all_blocks:
        if block.kind is None:
            if block.language in CHECKED_LANGUAGES:
                found.append(f"{block}: a ```{block.language} block needs a <!-- readme-test: ... --> marker")
            continue
        if block.kind not in KINDS:
            found.append(f"{block}: unknown kind {block.kind!r} (one of {', '.join(KINDS)})")
        elif block.kind in TESTED_KINDS and not block.id:
            found.append(f"{block}: kind {block.kind!r} needs an ID: <!-- readme-test: {block.kind} ID -->")
        elif block.kind not in TESTED_KINDS and block.id:
            found.append(f"{block}: kind {block.kind!r} takes no ID")
        if block.id:
            if block.id in seen:
                found.append(f"{block}: duplicate ID {block.id!r}")
            seen.add(block.id)
    return found


def tested(all_blocks: list[Block]) -> list[Block]:
    return [block for block in all_blocks if block.kind in TESTED_KINDS]


def by_kind(all_blocks: list[Block], kind: str) -> list[Block]:
    return [block for block in all_blocks if block.kind == kind]


# -- the install block ---------------------------------------------------------------------

def shell_commands(block: Block) -> list[str]:
    """The commands of an ``install-shell`` block: one per line, comments dropped."""
    commands = []
    for line in block.code.splitlines():
        command = line.split("  #", 1)[0].strip()
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


_FILE_HEADER = re.compile(r"^# (?P<path>[\w/]+\.py)(?P<append>, at the end)?\s*$")


@dataclass(frozen=True)
class FileEdit:
    path: str  # relative to the project directory, e.g. "mysite/settings.py"
    append: bool  # True: added at the end of the generated file; False: the whole file
    code: str


def install_edits(block: Block) -> list[FileEdit]:
    """The install block split at its ``# mysite/<file>.py`` header lines: a header ending in
    ``, at the end`` appends what follows to that file, any other replaces the file."""
    edits: list[FileEdit] = []
    current: tuple[str, bool] | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None:
            edits.append(FileEdit(current[0], current[1], "\n".join(lines).strip("\n") + "\n"))

    for line in block.code.splitlines():
        header = _FILE_HEADER.match(line)
        if header:
            flush()
            current, lines = (header.group("path"), bool(header.group("append"))), []
        elif current is None:
            if line.strip():
                raise ValueError(f"{block}: code before the first '# <file>.py' header: {line!r}")
        else:
            lines.append(line)
    flush()
    return edits
