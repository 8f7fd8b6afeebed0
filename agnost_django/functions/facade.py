"""``agnost.func(name)`` runs a registered helper; ``agnost.endpoint(name)`` describes an
endpoint (its URL, methods and options).

    agnost.func("slugify").run("Hello World").data        # "hello-world"
    agnost.endpoint("get-order").url(id=42).data           # "/orders/42"
"""

from __future__ import annotations

from typing import Any

from agnost_django.core.registry import NotRegistered
from agnost_django.core.result import FailedAccessor, returns_result
from agnost_django.functions import services
from agnost_django.functions.exceptions import EndpointNotFound, FunctionNotFound
from agnost_django.functions.registry import endpoints, functions


class FunctionManager:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<FunctionManager {self.name!r}>"

    @returns_result
    def run(self, *args: Any, **kwargs: Any) -> Any:
        return services.call_function(self.name, *args, **kwargs)


class EndpointManager:
    def __init__(self, name: str) -> None:
        self.name = name
        self.entry = endpoints.get(name)

    def __repr__(self) -> str:
        return f"<EndpointManager {self.name!r}>"

    @returns_result
    def get_info(self) -> dict[str, Any]:
        row = services.options(self.name)
        return {"name": self.name, "methods": self.entry.methods, "path": self.entry.path, "enabled": row.enabled,
                **services.code_options(self.entry), "keyRequired": row.key_required,
                "sessionRequired": row.session_required, "rateLimit": row.rate_limit or None, "timeout": row.timeout,
                "middlewares": row.middlewares}

    @returns_result
    def url(self, **params: Any) -> str:
        path = self.entry.path
        for key, value in params.items():
            path = path.replace(f":{key}", str(value))
        return path


def get_manager(name: str) -> FunctionManager | FailedAccessor:
    if name not in functions:
        return FailedAccessor.for_exception(FunctionNotFound(f"There is no function {name!r}.",
                                                             details={"function": name}))
    return FunctionManager(name)


def get_endpoint(name: str) -> EndpointManager | FailedAccessor:
    try:
        return EndpointManager(name)
    except NotRegistered:
        return FailedAccessor.for_exception(EndpointNotFound(f"There is no endpoint {name!r}.",
                                                             details={"endpoint": name}))
