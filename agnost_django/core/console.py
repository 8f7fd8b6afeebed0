"""The admin console: the overview on the admin's index and the read-only pages of what the
code registers, filled by every installed app from its own ``agnost_console.py``.

The contract (a module of plain names, read by core, never imported by core by name)::

    # myapp/agnost_console.py
    from agnost_django.core.console import Count, Failure, Page, Panel, Table

    def panel(request) -> Panel:            # optional: the app's box on the overview
        return Panel(counts=[Count(_("widgets"), capped_count(Widget.objects.all()))])

    def things(request) -> list[Table]:      # one registered-things page
        return [Table(_("Widgets"), [_("name")], [[w] for w in registry.names()])]

    pages = [Page("widgets", _("Registered widgets"), things)]   # optional

Pages are served at ``/_console/<app label>/<slug>`` to staff only, linked from the app's
panel. A panel or page that raises is shown as the error it raised, never as a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.db import models
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger("agnost_django.core")

CONSOLE_MODULE = "agnost_console"
#: Rows counted exactly before a count is shown as "N+".
COUNT_CAP = 10_000

OK, ERROR, INFO = "ok", "error", "info"


@dataclass
class Check:
    """One backend of a module: what it is (``value``) and whether it answered."""

    name: str
    value: str
    status: str = INFO  # OK, ERROR or INFO (nothing to probe)
    detail: str = ""


@dataclass
class Count:
    label: str
    value: str
    url: str | None = None
    alert: bool = False  # shown in the error colour (dead letters, failed runs)


@dataclass
class Failure:
    """A recent failure, merged with the other modules' into the overview's error list."""

    time: datetime
    what: str
    code: str = ""
    who: str = ""
    url: str | None = None
    module: str = ""  # filled in by the overview


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Panel:
    title: str = ""  # default: the app's verbose name
    checks: list[Check] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    note: str = ""
    app_label: str = ""


@dataclass
class Table:
    """A section of a registered-things page. Cells are text, booleans (shown as the admin's
    icons), lists (joined) or safe HTML (``format_html``)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    description: str = ""
    empty: str = ""


@dataclass
class Page:
    slug: str
    title: str
    tables: Callable[[Any], list[Table]]


@dataclass
class Contribution:
    app_config: AppConfig
    module: ModuleType

    @property
    def label(self) -> str:
        return self.app_config.label

    @property
    def pages(self) -> list[Page]:
        return list(getattr(self.module, "pages", []))


def contributions() -> Iterator[Contribution]:
    """The ``agnost_console`` modules of the installed apps, in ``INSTALLED_APPS`` order."""
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.{CONSOLE_MODULE}"
        if find_spec(name) is not None:
            yield Contribution(app_config, import_module(name))


def contribution(app_label: str) -> Contribution | None:
    return next((c for c in contributions() if c.label == app_label), None)


def page_url(app_label: str, slug: str) -> str:
    return reverse("agnost-console-page", kwargs={"app_label": app_label, "slug": slug})


def admin_url(name: str, *args: Any, query: str = "") -> str | None:
    """``reverse("admin:" + name)``, or ``None`` when the admin does not serve it."""
    try:
        url = reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def capped_count(queryset: models.QuerySet, cap: int = COUNT_CAP) -> str:
    """The number of rows, counted up to ``cap`` at most (``"10000+"`` beyond)."""
    found = queryset.order_by()[: cap + 1].count()
    return f"{cap:,}+" if found > cap else f"{found:,}"


def panels(request) -> list[Panel]:
    """Every contributed panel; one that raises becomes a panel showing the error."""
    result = []
    for item in contributions():
        make = getattr(item.module, "panel", None)
        if make is None and not item.pages:
            continue
        try:
            panel = make(request) if make else Panel()
        except Exception as exc:  # a broken panel must not take the admin's index down
            logger.exception("The console panel of %s failed", item.label)
            panel = Panel(checks=[Check(str(item.app_config.verbose_name), "", ERROR, f"panel failed: {exc}")])
        if panel is None:
            continue
        panel.app_label = item.label
        panel.title = panel.title or str(item.app_config.verbose_name)
        panel.links += [Link(page.title, page_url(item.label, page.slug)) for page in item.pages]
        result.append(panel)
    return result


def last_failures(all_panels: list[Panel], limit: int = 15) -> list[Failure]:
    failures = []
    for panel in all_panels:
        for failure in panel.failures:
            failure.module = failure.module or panel.title
            failures.append(failure)
    return sorted(failures, key=lambda f: f.time, reverse=True)[:limit]
