"""The registered-things pages of the admin console (``/_console/<app label>/<slug>``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from agnost_django.core import console


@require_safe
def console_page(request, app_label: str, slug: str) -> TemplateResponse:
    item = console.contribution(app_label)
    page = next((p for p in item.pages if p.slug == slug), None) if item else None
    if page is None:
        raise Http404(f"No console page {app_label}/{slug}.")
    context = {
        **admin.site.each_context(request),
        "title": page.title,
        "app_label": app_label,
        "app_name": item.app_config.verbose_name,
        "tables": page.tables(request),
        "pages": [(p.title, console.page_url(app_label, p.slug), p.slug == slug) for p in item.pages],
    }
    return TemplateResponse(request, "agnost_core/console/page.html", context)
