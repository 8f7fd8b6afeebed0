"""Changes to ``admin.site`` registrations that other apps own, contributed by each agnost
app's ``admin.py``: inlines on the host's user page (auth: profile and sessions; storage:
files) and pages to hide (django-q2's own "Scheduled tasks", folded into agnost's).

The host's registration of its user model is kept: it is re-registered as a subclass of the
registered class with the contributed inlines added (only on a user's change page, never on
the add page). :func:`apply` runs when each contribution is made and again from
``CoreConfig.ready()``, so it works whichever order ``INSTALLED_APPS`` lists the apps in, as
long as ``django.contrib.admin`` has discovered the admin modules by then (it is listed
before the agnost apps, or the registering app before them). Switch the user inlines off
with ``AGNOST_CORE_ADMIN_USER_INLINES = False``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.db import models

_user_inlines: list[type[InlineModelAdmin]] = []
_hidden: list[tuple[type[models.Model], Callable[[], bool]]] = []


def add_user_inline(inline: type[InlineModelAdmin]) -> None:
    """Show ``inline`` on the user change page of ``admin.site``."""
    if inline not in _user_inlines:
        _user_inlines.append(inline)
    apply()


def hide(model: type[models.Model], when: Callable[[], bool]) -> None:
    """Unregister ``model`` from ``admin.site`` when ``when()`` is true (read at start-up)."""
    _hidden.append((model, when))
    apply()


def apply(site: admin.AdminSite | None = None) -> None:
    """Bring ``site``'s registrations in line with the contributions (idempotent)."""
    from agnost_django.core.conf import core_settings

    site = site or admin.site
    for model, when in _hidden:
        if site.is_registered(model) and when():
            site.unregister(model)
    User = get_user_model()
    if not (_user_inlines and core_settings.ADMIN_USER_INLINES and site.is_registered(User)):
        return
    registered = type(site.get_model_admin(User))
    base = getattr(registered, "agnost_base", registered)
    if getattr(registered, "agnost_inlines", None) == tuple(_user_inlines):
        return
    site.unregister(User)
    site.register(User, user_admin_class(base, tuple(_user_inlines)))


def user_admin_class(base: type[admin.ModelAdmin], inlines: tuple[type[InlineModelAdmin], ...]) -> type:
    """``base`` with ``inlines`` added after its own, on change pages only."""

    def get_inline_instances(self, request, obj=None):
        instances = super(admin_class, self).get_inline_instances(request, obj)
        if obj is None:
            return [inline for inline in instances if type(inline) not in inlines]
        return instances

    admin_class = type(base.__name__, (base,), {
        "__module__": base.__module__,
        "inlines": [*base.inlines, *inlines],
        "agnost_base": base,
        "agnost_inlines": inlines,
        "get_inline_instances": get_inline_instances,
    })
    return admin_class
