"""DRF permission classes of the auth module, usable by any view of the host.

``IsSignedIn`` is core's (:mod:`agnost_django.core.callers`), so that other apps can require
a session without importing auth; it is offered here too, next to the authentication class."""

from __future__ import annotations

from agnost_django.core.callers import IsSignedIn

__all__ = ["IsSignedIn"]
