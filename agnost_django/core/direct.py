"""The direct lane: the client's calls to the routes of modules that declare
``direct_urls`` (data, cache) served without the host's whole middleware chain.

Such a call carries a client key and is answered by a DRF view that reads its caller from
the key and the ``Session`` header; Django's sessions, CSRF (the client API is exempt),
authentication and messages middleware and URL resolving do nothing for it but cost about a
fifth of its time. Under :mod:`agnost_django.core.asgi` such a request runs a shorter chain:
the host's ``MIDDLEWARE`` entries listed in ``AGNOST_CORE_DIRECT_MIDDLEWARE`` (by default
:class:`~agnost_django.core.middleware.AgnostMiddleware`, django-cors-headers and Django's
security and GZip middleware; in the host's order) around the same view, with the URL match
found once per route. Everything else takes the whole chain: a request without a client key
(staff browsing with the admin's session), a browser asking for HTML (the browsable API), a
route with arguments, a host serving under a script prefix. ``AGNOST_CORE_DIRECT_LANE =
False`` sends every request through the whole chain.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.urls import URLPattern, get_resolver, reverse, set_urlconf
from django.urls.exceptions import NoReverseMatch
from django.utils.log import log_response
from django.utils.module_loading import import_string

from agnost_django.core import modules
from agnost_django.core.conf import core_settings


def lane_paths() -> dict[str, object]:
    """``{path: ResolverMatch}`` of the direct modules' routes without arguments."""
    try:
        root = reverse("agnost-api-root")
    except NoReverseMatch:  # the host has not mounted agnost_django.urls
        return {}
    resolver = get_resolver()
    paths = {}
    for config in modules.installed():
        if not (config.direct_urls and config.api_urls):
            continue
        for pattern in import_string(f"{config.api_urls}.urlpatterns"):
            route = str(pattern.pattern)
            if not isinstance(pattern, URLPattern) or "<" in route or "(" in route:
                continue
            path = f"{root}/{route}"
            match = resolver.resolve(path)
            if match.func is pattern.callback:  # not shadowed by an earlier route of the host
                paths[path] = match
    return paths


class DirectLane:
    def __init__(self) -> None:
        self.paths: dict[str, object] | None = None
        # The chain as BaseHandler.load_middleware builds it (synchronous), with the hooks.
        chain = convert_exception_to_response(self._view)
        self.view_hooks, self.exception_hooks = [], []
        for path in reversed(settings.MIDDLEWARE):
            if path not in core_settings.DIRECT_MIDDLEWARE:
                continue
            middleware = import_string(path)(chain)
            if hasattr(middleware, "process_view"):
                self.view_hooks.insert(0, middleware.process_view)
            if hasattr(middleware, "process_exception"):
                self.exception_hooks.append(middleware.process_exception)
            chain = convert_exception_to_response(middleware)
        self.chain = chain

    def match(self, scope) -> object | None:
        """The URL match of a request that takes the lane, else ``None``."""
        if scope.get("root_path"):
            return None
        if self.paths is None:
            self.paths = lane_paths()
        match = self.paths.get(scope["path"])
        if match is None:
            return None
        key_header = core_settings.CLIENT_KEY_HEADER.lower().encode("latin1")
        has_key = False
        for name, value in scope["headers"]:
            if name == key_header:
                has_key = bool(value)
            elif name == b"accept" and b"text/html" in value:
                return None  # the browsable API: sessions, CSRF token, templates
        return match if has_key else None

    def get_response(self, request, match):
        """As ``BaseHandler.get_response``, through the lane's chain."""
        set_urlconf(settings.ROOT_URLCONF)
        request.resolver_match = match
        response = self.chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        return response

    def _view(self, request):
        """As ``BaseHandler._get_response`` once the URL is resolved."""
        match = request.resolver_match
        for hook in self.view_hooks:
            response = hook(request, match.func, match.args, match.kwargs)
            if response is not None:
                break
        else:
            try:
                response = match.func(request, *match.args, **match.kwargs)
            except Exception as exc:
                response = next(filter(None, (hook(request, exc) for hook in self.exception_hooks)), None)
                if response is None:
                    raise
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
