"""agnost_django: a backend-as-a-service as a suite of Django reusable apps.

Importing this package imports no Django models; ``from agnost_django import agnost``
loads the server-library facade lazily.
"""

from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "agnost":
        from agnost_django.core.facade import agnost

        return agnost
    raise AttributeError(f"module 'agnost_django' has no attribute {name!r}")
