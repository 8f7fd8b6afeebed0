"""The import graph of ``agnost_django`` (issue #18): no import circles, ``core`` names no
other agnost app, and apps use each other only through ``services``, ``signals`` and the
package itself.

The graph is read with :mod:`ast`, not by importing. Every import statement counts:
module-level, inside functions (a function-level import still ties the two modules
together, it only hides the circle until run time) and under ``if TYPE_CHECKING:`` (a
reader follows those too). ``from pkg import name`` is an import of ``pkg.name`` when that
is a module, else of ``pkg``. String constants that spell a dotted path of another app
(``"agnost_django.auth.authentication.X"``, for ``import_string`` or ``is_installed``)
count as naming it; docstrings do not. Migrations are left out (Django writes them).
The top-level modules (``agnost_django/urls.py``, ``routing.py``, ``asgi.py``, ...) compose
the apps and may import any of them, but take part in the circle check.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import agnost_django

PACKAGE = "agnost_django"
PUBLIC = ("services", "signals")  # besides the package itself

class Graph:
    """Modules of a package and what each imports or names (edges to dotted names)."""

    def __init__(self, root: Path, package: str) -> None:
        self.package = package
        self.files: dict[str, tuple[Path, bool]] = {}
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root.parent).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            self.files[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
        self.apps = sorted(p.parent.name for p in root.glob("*/apps.py"))
        self.imports: dict[str, set[str]] = {}
        self.strings: dict[str, set[str]] = {}
        dotted = re.compile(rf"\b{re.escape(package)}(?:\.[A-Za-z_]\w*)+")
        for name, (path, is_package) in self.files.items():
            tree = ast.parse(path.read_text(), str(path))
            self.imports[name] = {self.module_of(t) for t in _imported(tree, name, is_package)
                                  if t == package or t.startswith(package + ".")} - {name}
            self.strings[name] = {m for s in _strings(tree) for m in dotted.findall(s)}

    def module_of(self, dotted: str) -> str:
        """The longest prefix of ``dotted`` that is a module of the package."""
        while dotted not in self.files and "." in dotted:
            dotted = dotted.rsplit(".", 1)[0]
        return dotted

    def app_of(self, module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in self.apps else None

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one module (Tarjan)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        found: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            for target in sorted(self.imports.get(node, ())):
                if target not in index:
                    visit(target)
                    low[node] = min(low[node], low[target])
                elif target in stack:
                    low[node] = min(low[node], index[target])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        for node in sorted(self.files):
            if node not in index:
                visit(node)
        return found

    def references(self, module: str) -> set[str]:
        """Everything ``module`` imports or names in a string (dotted names)."""
        return self.imports[module] | self.strings[module]

    def core_naming_apps(self) -> set[tuple[str, str]]:
        """(core module, the other app's module or dotted name it imports or names)."""
        return {(module, target) for module in self.files if self.app_of(module) == "core"
                for target in self.references(module) if self.app_of(target) not in (None, "core")}

    def internal_imports(self) -> set[tuple[str, str]]:
        """(module of one app, internal module of another app, core aside) pairs."""
        allowed_tails = {(), *((tail,) for tail in PUBLIC)}
        pairs = set()
        for module in self.files:
            app = self.app_of(module)
            if app in (None, "core"):
                continue
            for target in self.references(module):
                other = self.app_of(target)
                if other in (None, "core", app):
                    continue
                if tuple(self.module_of(target).split(".")[2:]) not in allowed_tails:
                    pairs.add((module, target))
        return pairs


def _imported(tree: ast.AST, module: str, is_package: bool):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: None if is_package else -1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _strings(tree: ast.AST):
    docstrings = {id(body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and (body := node.body) and isinstance(body[0], ast.Expr)
                  and isinstance(body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph(Path(agnost_django.__file__).parent, PACKAGE)


def test_graph_sees_the_package(graph):
    assert {"core", "auth", "data", "realtime"} <= set(graph.apps)
    assert "agnost_django.core.expressions.compiler" in graph.files
    assert "agnost_django.core.exceptions" in graph.imports["agnost_django.data.services"]


def test_no_import_circles(graph):
    assert graph.cycles() == []


def test_core_names_no_other_app(graph):
    """The modules contribute their parts through their AppConfigs (core/modules.py)."""
    assert graph.core_naming_apps() == set()


def test_apps_use_only_services_signals_and_package_of_each_other(graph):
    assert graph.internal_imports() == set()


# The checks themselves, on a small package written for each case.

def _package(tmp_path: Path, files: dict[str, str]) -> Graph:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", "core/__init__.py": "", "core/apps.py": "",
                       "auth/__init__.py": "", "auth/apps.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Graph(root, "pkg")


def test_a_function_level_circle_is_found(tmp_path):
    graph = _package(tmp_path, {
        "core/a.py": "from pkg.core import b\n",
        "core/b.py": "def f():\n    from . import a\n",
        "core/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.core.d import X\n",
        "core/d.py": "import pkg.core.c\n",
    })
    assert graph.cycles() == [["pkg.core.a", "pkg.core.b"], ["pkg.core.c", "pkg.core.d"]]


def test_core_importing_or_naming_an_app_is_found(tmp_path):
    graph = _package(tmp_path, {
        "core/a.py": '"""Mentions pkg.auth.x in a docstring only."""\nfrom pkg.auth import signals\n',
        "core/b.py": 'PATH = "pkg.auth.authentication.X"\n',
        "core/c.py": "from pkg.core import a\n",
        "auth/authentication.py": "", "auth/signals.py": "",
    })
    assert graph.core_naming_apps() == {("pkg.core.a", "pkg.auth.signals"),
                                        ("pkg.core.b", "pkg.auth.authentication.X")}


def test_cross_app_internals_are_found(tmp_path):
    graph = _package(tmp_path, {
        "data/__init__.py": "", "data/apps.py": "",
        "data/views.py": "from pkg.auth import services, signals\nimport pkg.auth\nfrom pkg.core import x\n",
        "data/query.py": "from pkg.auth.sessions import find\n",
        "auth/sessions.py": "", "auth/services.py": "", "auth/signals.py": "", "core/x.py": "",
    })
    assert graph.internal_imports() == {("pkg.data.query", "pkg.auth.sessions")}
