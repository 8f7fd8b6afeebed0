"""Named registries filled from each installed app's ``agnost_hooks.py``.

Each app owns one :class:`Registry` (queue handlers, tasks, endpoint functions, exposed
models). Hosts register in ``myapp/agnost_hooks.py``; :func:`autodiscover`, run once by
``CoreConfig.ready()``, imports that module of every installed app. If an import fails,
every registry is restored to its state before that import and the error is re-raised.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Iterator
from importlib import import_module
from importlib.util import find_spec
from typing import Any

HOOKS_MODULE = "agnost_hooks"

_all_registries: list[Registry] = []


class AlreadyRegistered(Exception):
    """A name is registered twice in the same registry."""


class NotRegistered(KeyError):
    """A name that no registration provided."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class Registry:
    """A mapping of names to objects (handlers, resource classes) with per-entry options."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._registry: dict[str, Any] = {}
        _all_registries.append(self)

    def register(self, name: str | None = None, obj: Any = None, **options: Any) -> Any:
        """Register ``obj`` under ``name``; works as ``register("n", f)``, ``@register("n")``
        and ``@register`` (the object's ``__name__`` is the name). ``options`` are stored as
        attributes of an :class:`Entry`. Raises :class:`AlreadyRegistered` on a taken name."""
        if callable(name) and obj is None:  # bare @register
            obj, name = name, None

        def decorator(target: Any) -> Any:
            key = name or getattr(target, "__name__", None)
            if not key:
                raise ValueError(f"A {self.kind} needs a name.")
            if key in self._registry:
                raise AlreadyRegistered(f"The {self.kind} {key!r} is already registered.")
            self._registry[key] = Entry(key, target, options)
            return target

        return decorator(obj) if obj is not None else decorator

    def unregister(self, name: str) -> None:
        """Remove a registration; raises :class:`NotRegistered` if absent."""
        if name not in self._registry:
            raise NotRegistered(f"The {self.kind} {name!r} is not registered.")
        del self._registry[name]

    def get(self, name: str) -> Entry:
        """The :class:`Entry` for ``name``; raises :class:`NotRegistered` if absent."""
        try:
            return self._registry[name]
        except KeyError:
            raise NotRegistered(f"The {self.kind} {name!r} is not registered.") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._registry)

    def __contains__(self, name: object) -> bool:
        return name in self._registry

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._registry.values()))

    def __len__(self) -> int:
        return len(self._registry)

    @contextlib.contextmanager
    def temporarily(self, name: str, obj: Any, **options: Any) -> Iterator[Any]:
        """Register ``obj`` for the duration of a ``with`` block (or a decorated test)."""
        self.register(name, obj, **options)
        try:
            yield obj
        finally:
            self._registry.pop(name, None)

    def snapshot(self) -> dict[str, Any]:
        return copy.copy(self._registry)

    def restore(self, state: dict[str, Any]) -> None:
        self._registry = copy.copy(state)


class Entry:
    """One registration: its ``name``, the registered ``obj`` and its options."""

    def __init__(self, name: str, obj: Any, options: dict[str, Any]) -> None:
        self.name = name
        self.obj = obj
        self.options = options

    def __getattr__(self, option: str) -> Any:
        try:
            return self.__dict__["options"][option]
        except KeyError:
            raise AttributeError(option) from None

    def __repr__(self) -> str:
        return f"<Entry {self.name!r}: {self.obj!r}>"


def snapshot_all() -> list[tuple[Registry, dict[str, Any]]]:
    return [(registry, registry.snapshot()) for registry in _all_registries]


def restore_all(state: list[tuple[Registry, dict[str, Any]]]) -> None:
    for registry, entries in state:
        registry.restore(entries)


def autodiscover(app_names: Iterable[str] | None = None) -> None:
    """Import the ``agnost_hooks`` module of every installed app (or of ``app_names``), in
    app order. Python imports each module once, so calling this again is harmless."""
    if app_names is None:
        from django.apps import apps

        app_names = [app_config.name for app_config in apps.get_app_configs()]
    for app_name in app_names:
        module_name = f"{app_name}.{HOOKS_MODULE}"
        if find_spec(module_name) is None:
            continue
        state = snapshot_all()
        try:
            import_module(module_name)
        except Exception:
            restore_all(state)
            raise
