"""Admin page that lists the keys of the agnost namespace, from the cache itself."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from agnost_django.cache import services
from agnost_django.cache.conf import cache_settings
from agnost_django.cache.models import CacheEntry
from agnost_django.core.exceptions import AgnostAPIError


@admin.register(CacheEntry)
class CacheEntryAdmin(admin.ModelAdmin):
    # The declarations below are for consistency with every other admin; the page itself
    # is rendered from the cache by changelist_view (there is no table to query).
    list_display = ["key"]
    list_filter: list[str] = []
    search_fields = ["key"]
    ordering = ["key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._delete_selected(request)
        pattern = request.GET.get("q") or "*"
        if "*" not in pattern and "?" not in pattern and "[" not in pattern:
            pattern = f"*{pattern}*"
        cursor = request.GET.get("next") or None
        rows, next_cursor, stats, error = [], None, None, None
        try:
            page = services.list_keys_page(pattern, cursor=cursor)
            stats = services.get_stats()
            next_cursor = page["next"]
            for entry in page["data"]:
                value = json.dumps(entry["value"], ensure_ascii=False)
                rows.append({
                    "key": entry["key"],
                    "value": value if len(value) <= 200 else value[:200] + "…",
                    "ttl": services.get_ttl(entry["key"]),
                })
        except AgnostAPIError as exc:
            error = exc.message
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Cache keys in %(alias)s") % {"alias": cache_settings.ALIAS},
            "rows": rows,
            "query": request.GET.get("q", ""),
            "next_cursor": next_cursor,
            "stats": stats,
            "error": error,
            "namespace": cache_settings.NAMESPACE,
            "can_delete": self.has_delete_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/agnost_cache/cacheentry/change_list.html", context)

    def _delete_selected(self, request):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        keys = request.POST.getlist("keys")
        try:
            services.delete_keys(keys)
        except AgnostAPIError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request, _("Deleted %(count)d key(s).") % {"count": len(keys)}, messages.SUCCESS
            )
        return HttpResponseRedirect(request.get_full_path())
