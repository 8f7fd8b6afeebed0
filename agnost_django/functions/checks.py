"""System checks: endpoint paths that would shadow agnost's own routes or the admin, two
endpoints on one method and path, middlewares that do not exist."""

from __future__ import annotations

from django.core.checks import Error, register

RESERVED = ("/_api", "/_auth", "/_storage", "/socket.io")


def _reserved() -> list[str]:
    prefixes = list(RESERVED)
    try:
        from django.urls import reverse

        prefixes.append(reverse("admin:index").rstrip("/"))
    except Exception:  # noqa: BLE001 - no admin
        pass
    from django.conf import settings

    for setting in ("STATIC_URL", "MEDIA_URL"):
        value = getattr(settings, setting, None)
        if value and value.startswith("/"):
            prefixes.append(value.rstrip("/"))
        elif value:
            prefixes.append("/" + value.rstrip("/"))
    return prefixes


@register()
def check_endpoints(app_configs=None, **kwargs):
    from agnost_django.functions.registry import endpoints, middlewares

    problems = []
    seen: dict[tuple[str, str], str] = {}
    reserved = _reserved()
    for entry in endpoints:
        lowered = entry.path.lower().rstrip("/")
        for prefix in reserved:
            if lowered == prefix.lower() or lowered.startswith(prefix.lower() + "/"):
                problems.append(Error(
                    f"The endpoint {entry.name!r} has the path {entry.path!r}, under {prefix}/, which "
                    "agnost_django or the host already serves.",
                    hint="Choose another path.", id="agnost_functions.E001"))
        fingerprint = "/".join(":" if part.startswith((":", "<")) else part.lower()
                               for part in entry.path.strip("/").split("/"))
        for method in entry.methods:
            other = seen.get((method, fingerprint))
            if other:
                problems.append(Error(
                    f"The endpoints {other!r} and {entry.name!r} both answer {method} {entry.path}.",
                    id="agnost_functions.E002"))
            seen[(method, fingerprint)] = entry.name
        for name in entry.middlewares:
            if name not in middlewares:
                problems.append(Error(
                    f"The endpoint {entry.name!r} uses the middleware {name!r}, which is not registered.",
                    id="agnost_functions.E003"))
    return problems
