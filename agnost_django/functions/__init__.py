"""The host's own functions: ``@endpoint`` handlers served at their paths, named
``@middleware`` callables run before them, and ``@function`` helpers for ``agnost.func``."""

from agnost_django.functions.registry import endpoint, function, middleware

__all__ = ["endpoint", "function", "middleware"]
