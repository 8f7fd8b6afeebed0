"""The realtime module on the admin console: the channel layer and the authorisation rules."""

from __future__ import annotations

import inspect

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agnost_django.core import health
from agnost_django.core.console import Check, Link, Page, Panel, Table, admin_url
from agnost_django.realtime import adapter as adapters
from agnost_django.realtime.conf import realtime_settings

#: The adapter's methods that decide who may do what, in the order a connection meets them.
RULES = {
    "can_connect": gettext_lazy("open a connection (after the client key and session checks)"),
    "can_join": gettext_lazy("join a channel"),
    "can_send": gettext_lazy("send an event to a channel"),
    "can_broadcast": gettext_lazy("send an event to every connection"),
    "can_see_members": gettext_lazy("list a channel's members (getMembers)"),
    "can_use": gettext_lazy("the default of join, send and members"),
    "allow_private": gettext_lazy("admit a signed-in user to a private-* channel"),
}


def channel_layer() -> Check:
    from asgiref.sync import async_to_sync
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    alias = realtime_settings.CHANNEL_LAYER
    name = _("channel layer “%(alias)s”") % {"alias": alias}
    try:
        layer = get_channel_layer(alias)
    except Exception as exc:
        return health.unreachable(name, alias, exc)
    if layer is None:
        return health.unreachable(name, alias, _("not in CHANNEL_LAYERS"))
    value = health.dotted(layer)
    if isinstance(layer, InMemoryChannelLayer):
        return Check(name, value, detail=_("process-local: this server's process only")
                     if type(layer) is InMemoryChannelLayer else _("process-local, reached by this machine's "
                                                                   "other processes"))
    # A round trip that leaves nothing behind: a message to a group nobody is in.
    return health.with_timeout(name, value, lambda: async_to_sync(layer.group_send)(
        "agnost-console-probe", {"type": "agnost.probe"}))


def panel(request) -> Panel:
    adapter = realtime_settings.ADAPTER
    checks = [channel_layer(),
              Check(_("presence cache"), realtime_settings.PRESENCE_CACHE),
              Check(_("adapter"), health.dotted(adapter))]
    note = "" if realtime_settings.ENABLED else _("Realtime is turned off (AGNOST_REALTIME_ENABLED = False).")
    presence = admin_url("agnost_realtime_channelpresence_changelist")
    return Panel(checks=checks, note=note, links=[Link(_("Channels and members"), presence)] if presence else [])


def rules_page(request) -> list[Table]:
    adapter = realtime_settings.ADAPTER
    rows = []
    for rule, decides in RULES.items():
        if not hasattr(adapter, rule):
            continue
        owner = next(klass for klass in adapter.__mro__ if rule in vars(klass))
        doc = inspect.getdoc(getattr(adapter, rule)) or ""
        rows.append([format_html("<code>{}</code>", rule), decides, health.dotted(owner),
                     owner is not adapters.DefaultRealtimeAdapter, doc])
    return [Table(
        _("Authorisation rules of %(adapter)s") % {"adapter": health.dotted(adapter)},
        [_("rule"), _("decides whether a client may"), _("defined in"), _("overridden by the host"), _("notes")],
        rows,
        description=inspect.getdoc(adapters) or "",
    )]


pages = [Page("rules", gettext_lazy("Authorisation rules"), rules_page)]
