"""The module contract: what an agnost app contributes to the suite, declared on its AppConfig.

An app's config subclasses :class:`ModuleConfig` and declares its wire name, its URLconfs,
its server-library accessors, the DRF authentication it adds and the settings its managers
read. Core composes the URLconf (``agnost_django.urls``), the API root, ``agnost.<accessor>``
and the default authentication from the installed configs, as the admin autodiscovers, and
names no app itself. A module of the host's plugs in the same way::

    class NotesConfig(ModuleConfig):
        name = "notes"
        wire_name = "notes"
        api_urls = "notes.api_urls"
        api_root = "notes:list"
        accessors = {"notes": modules.Accessor("notes.facade.get_manager", default="default")}
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import AppConfig, apps


@dataclass(frozen=True)
class Accessor:
    """``agnost.<attribute>``: ``factory`` (a dotted path) is called with a name and returns
    the manager (or a failed accessor for an unknown name)."""

    factory: str
    #: The name used by ``agnost.<attribute>()`` without one; ``None``: a name is required.
    default: str | None = None
    #: A property (``agnost.realtime``), the manager of ``default``, rather than a call.
    attribute: bool = False
    #: Managers are memoised per name unless this is False (cheap ones, or ones that are not).
    memoise: bool = True
    doc: str = ""


class ModuleConfig(AppConfig):
    """The AppConfig of an agnost module."""

    #: The wire name: the client's name for the module, its key in the API root, and the
    #: first part of the operations a client key may be limited to (``cache.get_key``).
    wire_name: str = ""
    #: URLconf of the client REST API, mounted under ``/_api/rest/v1/``.
    api_urls: str | None = None
    #: Whether client calls to the routes of ``api_urls`` may skip the host's middleware but
    #: ``AGNOST_CORE_DIRECT_MIDDLEWARE`` (:mod:`agnost_django.core.direct`): views that read
    #: nothing of Django's sessions, authentication, messages or locale.
    direct_urls: bool = False
    #: The route name of the module's entry in the API root.
    api_root: str | None = None
    #: ``(prefix, URLconf)`` of pages outside the API (links, public files, endpoints).
    browser_urls: tuple[str, str] | None = None
    #: Server-library accessors: ``agnost.<key>``.
    accessors: dict[str, Accessor] = {}
    #: DRF authentication classes (dotted paths) added to every agnost view.
    authentication_classes: tuple[str, ...] = ()
    #: Settings (besides ``AGNOST_*`` and ``INSTALLED_APPS``) whose change drops the memoised
    #: managers of the server library.
    facade_settings: tuple[str, ...] = ()


def installed() -> list[ModuleConfig]:
    """The installed modules, in ``INSTALLED_APPS`` order."""
    return [config for config in apps.get_app_configs() if isinstance(config, ModuleConfig)]


def wire_names() -> list[str]:
    return [config.wire_name for config in installed() if config.wire_name]


def accessor(attribute: str) -> tuple[ModuleConfig, Accessor] | None:
    for config in installed():
        if attribute in config.accessors:
            return config, config.accessors[attribute]
    return None


@cache
def shipped_accessors() -> dict[str, str]:
    """``{accessor: app}`` of every module shipped in this package, installed or not, so that
    ``agnost.cache`` can say which app to install rather than raise ``AttributeError``."""
    package = import_module(__name__.rsplit(".", 2)[0])
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__):
        try:
            module = import_module(f"{package.__name__}.{info.name}.apps")
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, ModuleConfig) and value is not ModuleConfig:
                found.update(dict.fromkeys(value.accessors, value.name))
    return found
