"""``site``: the registry of exposed models, filled from each app's ``agnost_hooks.py``."""

from __future__ import annotations

from typing import Any

from django.db import models

from agnost_django.core.registry import NotRegistered, Registry
from agnost_django.data import exceptions
from agnost_django.data.resources import Resource


class DataSite:
    def __init__(self) -> None:
        self._resources = Registry("data model")

    def register(self, model: type[models.Model], resource_class: type[Resource] | None = None, **options: Any):
        """Expose ``model``: ``site.register(Todo, TodoResource)``, ``site.register(Todo,
        name="todos", rules={...})`` or ``@site.register(Todo)`` on a Resource subclass."""

        def decorator(klass: type[Resource]) -> type[Resource]:
            if options:
                klass = type(f"{model.__name__}Resource", (klass,), options)
            resource = klass(model)
            self._resources.register(resource.name, resource)
            return klass

        if resource_class is not None or options:
            decorator(resource_class or Resource)
            return resource_class
        return decorator

    def unregister(self, name: str) -> None:
        self._resources.unregister(name)

    def get(self, name: str) -> Resource:
        """The resource for a client model name; ``model_not_found`` otherwise."""
        try:
            return self._resources.get(name).obj
        except NotRegistered:
            raise exceptions.ModelNotFound(f"No model is exposed as {name!r}.", details={"model": name}) from None

    def for_model(self, model: type[models.Model]) -> Resource | None:
        for entry in self._resources:
            if entry.obj.model is model:
                return entry.obj
        return None

    def names(self) -> list[str]:
        return self._resources.names()

    def temporarily(self, model: type[models.Model], resource_class: type[Resource] | None = None, **options):
        """Context manager for tests: expose ``model`` for the block only."""
        import contextlib

        @contextlib.contextmanager
        def block():
            klass = resource_class or Resource
            if options:
                klass = type(f"{model.__name__}Resource", (klass,), options)
            resource = klass(model)
            with self._resources.temporarily(resource.name, resource):
                yield resource

        return block()


site = DataSite()
