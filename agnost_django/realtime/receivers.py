"""Events other modules cause: the auth module's user events (to the user's connections) and
changes made through the data API (to a resource's ``realtime_channel``), sent after commit."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction

from agnost_django.realtime import services
from agnost_django.realtime.exceptions import RealtimeUnreachable

logger = logging.getLogger("agnost_django.realtime")


def _later(function, *args) -> None:
    def run() -> None:
        try:
            function(*args)
        except Exception:  # noqa: BLE001 - a notification never breaks the change it reports
            logger.exception("realtime notification failed")

    transaction.on_commit(run)


if apps.is_installed("agnost_django.auth"):
    from agnost_django.auth import signals as auth_signals
    from agnost_django.auth.services import session_payload, user_payload

    def _user_event(event: str, user, session=None) -> None:
        _later(lambda: services.send_to_user(
            user.pk, event, event, session_payload(session) if session is not None else None, user_payload(user)))

    def on_sign_in(sender, user, session=None, **kwargs) -> None:
        _user_event("user:signin", user, session)

    def on_sign_out(sender, user, session=None, **kwargs) -> None:
        _user_event("user:signout", user, session)

    def on_password(sender, user, **kwargs) -> None:
        _user_event("user:pwdchange", user)

    def on_email(sender, user, **kwargs) -> None:
        _user_event("user:emailchange", user)

    def on_phone(sender, user, **kwargs) -> None:
        _user_event("user:phonechange", user)

    auth_signals.user_signed_in.connect(on_sign_in, dispatch_uid="agnost_realtime_signin")
    auth_signals.user_signed_out.connect(on_sign_out, dispatch_uid="agnost_realtime_signout")
    auth_signals.password_changed.connect(on_password, dispatch_uid="agnost_realtime_pwd")
    auth_signals.email_changed.connect(on_email, dispatch_uid="agnost_realtime_email")
    auth_signals.phone_changed.connect(on_phone, dispatch_uid="agnost_realtime_phone")


if apps.is_installed("agnost_django.data"):
    from agnost_django.data import signals as data_signals
    from agnost_django.data.services import serialize

    def _publish(resource, event: str, message) -> None:
        try:
            services.send(resource.realtime_channel, event, message)
        except RealtimeUnreachable:
            pass  # no process serves realtime connections: nobody to tell
        except Exception:  # noqa: BLE001
            logger.exception("realtime publishing of %s failed", resource.name)

    def on_created(sender, resource, objects=(), **kwargs) -> None:
        if resource.realtime_channel:
            _publish(resource, "create", {"model": resource.name,
                                          "objects": [serialize(resource, obj) for obj in objects]})

    def on_updated(sender, resource, ids=(), **kwargs) -> None:
        if resource.realtime_channel:
            _publish(resource, "update", {"model": resource.name, "ids": [str(pk) for pk in ids]})

    def on_deleted(sender, resource, ids=(), **kwargs) -> None:
        if resource.realtime_channel:
            _publish(resource, "delete", {"model": resource.name, "ids": [str(pk) for pk in ids]})

    # The data module sends these after its transaction commits.
    data_signals.object_created.connect(on_created, dispatch_uid="agnost_realtime_created")
    data_signals.object_updated.connect(on_updated, dispatch_uid="agnost_realtime_updated")
    data_signals.object_deleted.connect(on_deleted, dispatch_uid="agnost_realtime_deleted")
