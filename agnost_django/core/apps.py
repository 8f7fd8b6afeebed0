from __future__ import annotations

import os

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "agnost_django.core"
    label = "agnost_core"
    verbose_name = _("Agnost core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.core import checks, receivers  # noqa: F401 (registers checks)
        from agnost_django.core.registry import autodiscover

        receivers.connect()
        autodiscover()
        if apps.is_installed("django.contrib.admin"):
            from agnost_django.core import admin_site

            admin_site.apply()  # the user model or django-q2 may have registered after our admin.py
        _open_admin_on_overview()
        if apps.is_installed("django_q"):  # the job runs' worker loop, in every django-q2 worker
            from django_q.signals import post_spawn

            from agnost_django.core import workers

            post_spawn.connect(workers.start, dispatch_uid="agnost_core_worker_loop")
            os.register_at_fork(after_in_child=_forget_inherited_connections)


def _forget_inherited_connections() -> None:
    """django-q2 forks its workers from a process that may hold database connections, and
    with psycopg's pool a class-level pool whose threads do not survive the fork. A child that
    used them would share sockets with its parent (desynchronised replies, wrong rows). Drop
    them in the child, without closing them (they are the parent's), so the child connects
    afresh."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.connection = None
        connection.closed_in_transaction = False
        connection.in_atomic_block = False
        connection.savepoint_ids = []
        connection.needs_rollback = False
    try:
        from django.db.backends.postgresql.base import DatabaseWrapper
    except ImportError:  # psycopg is not installed
        return
    DatabaseWrapper._connection_pools = {}


def _open_admin_on_overview() -> None:
    """The default admin site's index shows the console overview above Django's app list
    (turned off at render time by ``AGNOST_CORE_ADMIN_OVERVIEW = False``). A site that has its
    own ``index_template`` keeps it, and can ``{% load agnost_admin_console %}{% agnost_overview %}``."""
    if apps.is_installed("django.contrib.admin"):
        from django.contrib import admin

        if admin.site.index_template is None:
            admin.site.index_template = "agnost_core/admin/index.html"
