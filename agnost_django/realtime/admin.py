"""A read-only admin page of the realtime channels and their members, from the presence
registry (shared by every server process when it is in Redis), and the messages kept for
resumable channels when they are kept in the database."""

from __future__ import annotations

import json
import pickle

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from agnost_django.core.wire import to_json_deep
from agnost_django.realtime.conf import realtime_settings
from agnost_django.realtime.models import ChannelMessage, ChannelPresence, ChannelSequence
from agnost_django.realtime.presence import get_presence


@admin.register(ChannelPresence)
class ChannelPresenceAdmin(admin.ModelAdmin):
    list_display = ["channel"]
    search_fields = ["channel"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        presence = get_presence()
        query = request.GET.get("q", "").strip()
        channels = []
        for name, count in sorted(presence.all_channels().items()):
            if query and query.lower() not in name.lower():
                continue
            members = [{"id": member["id"], "data": json.dumps(member["data"], ensure_ascii=False)[:200]}
                       for member in presence.members(name)]
            channels.append({"name": name, "count": count, "members": members})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Realtime channels right now"),
            "channels": channels,
            "query": query,
            "ttl": realtime_settings.PRESENCE_TTL,
            "shared": type(presence).__name__ == "RedisPresence",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/agnost_realtime/channelpresence/change_list.html", context)


class _ReadOnly(admin.ModelAdmin):
    """Kept messages are written by publishing only; deleting them is allowed."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChannelSequence)
class ChannelSequenceAdmin(_ReadOnly):
    list_display = ["channel", "last"]
    search_fields = ["channel"]


@admin.register(ChannelMessage)
class ChannelMessageAdmin(_ReadOnly):
    list_display = ["channel", "seq", "event", "created_at", "preview"]
    search_fields = ["channel", "event"]
    exclude = ["payload"]
    readonly_fields = ["preview"]

    @admin.display(description=_("message"))
    def preview(self, obj) -> str:
        message = pickle.loads(bytes(obj.payload)).get("message")
        return json.dumps(to_json_deep(message), ensure_ascii=False, default=str)[:200]
