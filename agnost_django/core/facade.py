"""The server library: ``from agnost_django import agnost``.

``agnost.cache("default")``, ``agnost.db("default")``, ``agnost.storage("default")``,
``agnost.queue("emails")``, ``agnost.task("report")``, ``agnost.func("name")``,
``agnost.endpoint("name")``, ``agnost.realtime`` and ``agnost.auth`` return managers whose
methods return :class:`~agnost_django.core.result.Result`. Each accessor is declared by the
module that provides it (:class:`~agnost_django.core.modules.ModuleConfig.accessors`).
Accessors never raise: for a module that is not installed, or a name that does not exist,
they return a failed Result that also accepts any further chained call and returns itself.
"""

from __future__ import annotations

import threading
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from agnost_django.core import modules
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

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        found = modules.accessor(attribute)
        if found is None:
            app = modules.shipped_accessors().get(attribute)
            if app is None:
                raise AttributeError(f"agnost has no accessor {attribute!r}: no installed module declares it")
            failed = FailedAccessor.for_exception(ModuleNotInstalled(
                _("The %(app)s module is not installed: add %(path)s to INSTALLED_APPS.")
                % {"app": app.rsplit(".", 1)[-1], "path": app}, details={"module": app}))
            return failed
        _config, spec = found
        if spec.attribute:
            return self._manager(attribute, spec, spec.default)

        def get(name: str | None = spec.default) -> Any:
            return self._manager(attribute, spec, name)

        get.__doc__ = spec.doc
        return get

    def _manager(self, attribute: str, spec: modules.Accessor, name: Any) -> Any:
        key = (attribute, name)
        manager = self._managers.get(key)
        if manager is not None:
            return manager
        manager = import_string(spec.factory)(name)
        if spec.memoise and not isinstance(manager, FailedAccessor):
            with self._lock:
                self._managers[key] = manager
        return manager

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(name for config in modules.installed() for name in config.accessors)})


agnost = Agnost()
