"""The request log in the admin: read-only rows, filters for what failed and for whom, and a
per-minute chart of the last hour's calls and errors above the list."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agnost_django.core import modules, requestlog
from agnost_django.core.models import ClientKey, RequestLog


class SinceFilter(admin.SimpleListFilter):
    title = _("time")
    parameter_name = "since"
    _spans = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "24h": timedelta(days=1),
              "7d": timedelta(days=7)}

    def lookups(self, request, model_admin):
        return [("15m", _("Last 15 minutes")), ("1h", _("Last hour")), ("24h", _("Last 24 hours")),
                ("7d", _("Last 7 days"))]

    def queryset(self, request, queryset):
        span = self._spans.get(self.value())
        return queryset.filter(created_at__gte=timezone.now() - span) if span else queryset


class StatusClassFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status_class"

    def lookups(self, request, model_admin):
        return [("errors", _("Errors (4xx and 5xx)")), ("1", _("101 (websocket accepted)")),
                ("2", "2xx"), ("3", "3xx"), ("4", "4xx"), ("5", "5xx")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "errors":
            return queryset.filter(status__gte=400)
        if value in ("1", "2", "3", "4", "5"):
            low = int(value) * 100
            return queryset.filter(status__gte=low, status__lt=low + 100)
        return queryset


class ModuleFilter(admin.SimpleListFilter):
    title = _("module")
    parameter_name = "module"

    def lookups(self, request, model_admin):
        return [(module, module) for module in (*modules.wire_names(), "core")]

    def queryset(self, request, queryset):
        return queryset.filter(module=self.value()) if self.value() else queryset


class ErrorCodeFilter(admin.SimpleListFilter):
    title = _("error code")
    parameter_name = "error_code"

    def lookups(self, request, model_admin):
        # The codes of errors only (few rows, on the status index), at most fifty.
        codes = (RequestLog.objects.filter(status__gte=400).exclude(error_code="")
                 .order_by("error_code").values_list("error_code", flat=True).distinct()[:50])
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(error_code=self.value()) if self.value() else queryset


class ClientKeyFilter(admin.SimpleListFilter):
    title = _("client key")
    parameter_name = "client_key"

    def lookups(self, request, model_admin):
        names = ClientKey.objects.order_by("name").values_list("name", flat=True).distinct()
        return [("-", _("None")), *((name, name) for name in names)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "-":
            return queryset.filter(client_key_name="")
        return queryset.filter(client_key_name=value) if value else queryset


def format_duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


# Geometry of the chart (SVG user units; the SVG scales to the width of the page).
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_LEFT = 720, 140, 14, 0
AXIS_HEIGHT = 16


def chart(queryset, minutes: int = 60) -> dict:
    """What the change list's template draws: one bar per minute (calls, with errors in front)."""
    buckets = requestlog.per_minute(queryset, minutes=minutes)
    peak = max((bucket["calls"] for bucket in buckets), default=0)
    scale = (CHART_HEIGHT - CHART_TOP - AXIS_HEIGHT) / peak if peak else 0
    step = CHART_WIDTH / minutes
    base = CHART_HEIGHT - AXIS_HEIGHT
    bars = []
    for index, bucket in enumerate(buckets):
        calls_height = bucket["calls"] * scale
        errors_height = bucket["errors"] * scale
        local = timezone.localtime(bucket["minute"]) if timezone.is_aware(bucket["minute"]) else bucket["minute"]
        bars.append({
            "x": round(index * step + 1, 1), "width": round(step - 2, 1),
            "calls_y": round(base - calls_height, 1), "calls_height": round(calls_height, 1),
            "errors_y": round(base - errors_height, 1), "errors_height": round(errors_height, 1),
            "title": ngettext("%(time)s: %(calls)d call, %(errors)d error(s)",
                              "%(time)s: %(calls)d calls, %(errors)d error(s)", bucket["calls"])
            % {"time": date_format(local, "H:i"), "calls": bucket["calls"], "errors": bucket["errors"]},
            "label": date_format(local, "H:i") if index % 10 == 0 or index == minutes - 1 else "",
            "label_x": 1 if index == 0 else CHART_WIDTH - 1 if index == minutes - 1 else round(index * step + step / 2, 1),
            "anchor": "start" if index == 0 else "end" if index == minutes - 1 else "middle",
        })
    return {
        "bars": bars, "peak": peak, "width": CHART_WIDTH, "height": CHART_HEIGHT, "base": base,
        "label_y": CHART_HEIGHT - 3, "calls": sum(b["calls"] for b in buckets),
        "errors": sum(b["errors"] for b in buckets), "minutes": minutes,
    }


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin):
    # Who and what first: on a narrow screen the list scrolls sideways.
    list_display = ["time", "status", "error_code", "call", "user_label", "client_key_name", "origin", "duration"]
    list_display_links = ["time"]
    list_filter = [SinceFilter, StatusClassFilter, ModuleFilter, ErrorCodeFilter, ClientKeyFilter]
    search_fields = ["path", "user_label", "user_id", "error_code", "origin", "client_key_name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_per_page = 50
    show_full_result_count = False  # no second COUNT(*) over a large log
    fields = ["created_at", "method", "path", "route", "module", "operation", "status", "error_code",
              "duration", "client_key_name", "user_id", "user_label", "origin", "ip", "weight"]
    readonly_fields = fields

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj: RequestLog) -> str:
        return date_format(timezone.localtime(obj.created_at) if timezone.is_aware(obj.created_at) else obj.created_at,
                           "M j, H:i:s")

    @admin.display(description=_("call"), ordering="path")
    def call(self, obj: RequestLog) -> str:
        path = obj.path if len(obj.path) <= 60 else obj.path[:59] + "…"
        return f"{obj.method} {path}"

    @admin.display(description=_("duration"), ordering="duration_ms")
    def duration(self, obj: RequestLog) -> str:
        return format_duration(obj.duration_ms)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["chart"] = chart(context["cl"].queryset)
            context["chart_filtered"] = bool(context["cl"].has_active_filters or context["cl"].query)
        return response
