"""Who may connect, join, send and see members. Subclass :class:`DefaultRealtimeAdapter` and
point ``AGNOST_REALTIME_ADAPTER`` at your class to change a rule.

``user`` is the connection's user (from the handshake's ``Session``) or ``None``. The default
rules: anyone with a valid client key may connect and use public channels; only signed-in
users may broadcast to every connection;
channels named ``private-*`` need a signed-in user and :meth:`allow_private`'s consent, which
by default admits staff, and each user to ``private-user-<their id>``.
"""

from __future__ import annotations

from typing import Any

from agnost_django.realtime.conf import realtime_settings


def signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


class DefaultRealtimeAdapter:
    def can_connect(self, user: Any, auth: dict[str, Any]) -> bool:
        """At the handshake, after the client key and the session are checked."""
        return True

    def can_join(self, user: Any, channel: str) -> bool:
        return self.can_use(user, channel)

    def can_send(self, user: Any, channel: str, event: str) -> bool:
        """A client ``send`` to ``channel`` (members or not, as Agnost allows)."""
        return self.can_use(user, channel)

    def can_broadcast(self, user: Any, event: str) -> bool:
        """A client ``broadcast`` to every connection: signed-in users only (an anonymous
        socket would reach every signed-in client)."""
        return signed_in(user)

    def can_see_members(self, user: Any, channel: str) -> bool:
        """``getMembers`` over REST."""
        return self.can_use(user, channel)

    def can_use(self, user: Any, channel: str) -> bool:
        if not channel.startswith("private-"):
            return True
        return signed_in(user) and self.allow_private(user, channel)

    def allow_private(self, user: Any, channel: str) -> bool:
        """Consent for a signed-in user to a ``private-*`` channel."""
        return bool(user.is_staff) or channel == f"private-user-{user.pk}"


def get_adapter() -> DefaultRealtimeAdapter:
    return realtime_settings.ADAPTER()
