"""The data module: the client's database API over the host's own models.

``from agnost_django.data import site, Resource`` in an ``agnost_hooks.py`` to expose models.
The names are imported lazily so that importing this package imports no models.
"""


def __getattr__(name):
    if name == "site":
        from agnost_django.data.registry import site

        return site
    if name == "Resource":
        from agnost_django.data.resources import Resource

        return Resource
    raise AttributeError(name)
