"""The server library: ``from agnost_django import agnost``.

``agnost.cache("default")``, ``agnost.db("default")``, ``agnost.storage("default")``,
``agnost.queue("emails")``, ``agnost.task("report")``, ``agnost.func("name")``,
``agnost.realtime`` and ``agnost.auth`` return managers whose methods return
:class:`~agnost_django.core.result.Result`. Accessors never raise: for a module that is
not installed, or a name that does not exist, they return a failed Result that also
accepts any further chained call and returns itself.
"""

from __future__ import annotations

import threading
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from agnost_django.core.exceptions import ModuleNotInstalled
from agnost_django.core.result import FailedAccessor


class Agnost:
    """The server-library entry object. Managers are memoised per name and dropped
    whenever a relevant setting changes."""

    def __init__(self) -> None:
        self._managers: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget memoised managers (called on ``setting_changed``)."""
        with self._lock:
            self._managers.clear()

    def _manager(self, app: str, name: str) -> Any:
        key = (app, name)
        manager = self._managers.get(key)
        if manager is not None:
            return manager
        if not apps.is_installed(f"agnost_django.{app}"):
            return FailedAccessor.for_exception(
                ModuleNotInstalled(
                    _("The %(app)s module is not installed: add %(path)s to INSTALLED_APPS.")
                    % {"app": app, "path": f"agnost_django.{app}"},
                    details={"module": f"agnost_django.{app}"},
                )
            )
        manager = import_module(f"agnost_django.{app}.facade").get_manager(name)
        if not isinstance(manager, FailedAccessor):
            with self._lock:
                self._managers[key] = manager
        return manager

    def cache(self, name: str = "default") -> Any:
        """Key-value operations on the ``CACHES`` alias ``name``."""
        return self._manager("cache", name)

    def db(self, name: str = "default") -> Any:
        """Database operations on the ``DATABASES`` alias ``name``."""
        return self._manager("data", name)

    def storage(self, name: str = "default") -> Any:
        """Buckets and files on the ``STORAGES`` alias ``name``."""
        return self._manager("storage", name)

    def queue(self, name: str) -> Any:
        """The message queue registered as ``name``."""
        return self._manager("queues", name)

    def task(self, name: str) -> Any:
        """The scheduled task registered as ``name``."""
        return self._manager("schedules", name)

    def func(self, name: str) -> Any:
        """The helper function registered as ``name``."""
        return self._manager("functions", name)

    def endpoint(self, name: str) -> Any:
        """The endpoint registered as ``name`` (its URL and options)."""
        if not apps.is_installed("agnost_django.functions"):
            return self._manager("functions", name)
        return import_module("agnost_django.functions.facade").get_endpoint(name)

    @property
    def realtime(self) -> Any:
        """Publishing to realtime channels."""
        return self._manager("realtime", "default")

    @property
    def auth(self) -> Any:
        """Users and sessions."""
        return self._manager("auth", "default")


agnost = Agnost()
