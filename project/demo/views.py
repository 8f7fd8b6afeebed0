"""The demo page: one HTML page driving the altogic browser client against this server."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.views.decorators.http import require_safe

from project.demo import services


def _setup_problem(request: HttpRequest) -> str | None:
    """Why the page's API calls will be refused (shown as a hint), or ``None``."""
    key = services.find_client_key()
    if key is None or not key.active or key.is_expired:
        return "missing"
    if not key.allows_origin(f"{request.scheme}://{request.get_host()}"):
        return "origin"
    return None


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # The port the browser used (the Host header), which is the one the envUrl must use.
    _domain, port = split_domain_port(request.get_host())
    config = {
        "envUrl": services.env_url(port, request.scheme),
        "clientKey": services.client_key_secret(),
        "bucket": services.BUCKET,
        "chatChannel": services.CHAT_CHANNEL,
        "sameOriginUrl": services.env_url(port, request.scheme) + "/",
    }
    return render(request, "demo/index.html", {
        "config": config,
        "problem": _setup_problem(request),
        "port": port or ("443" if request.is_secure() else "80"),
    })
