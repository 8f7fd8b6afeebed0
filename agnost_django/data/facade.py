"""``agnost.db(alias).model(name)``: the data module in the server library.

``where`` is an expression of the client's language (``"quantity > 5 && INCLUDES(name, 'x')"``).
Access rules apply as for the client: pass ``user=`` to act for a user, or
``bypass_rules=True`` to act as the system (nothing else bypasses them). Every method
returns a :class:`~agnost_django.core.result.Result`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from agnost_django.core.result import FailedAccessor, returns_result
from agnost_django.data import services
from agnost_django.data.exceptions import DatabaseNotFound, ModelNotFound
from agnost_django.data.registry import site
from agnost_django.data.resources import SYSTEM


def _query(where: str | None = None, **parts: Any) -> dict[str, Any]:
    return {"expression": where, **{k: v for k, v in parts.items() if v is not None}}


class ModelManager:
    def __init__(self, resource, user: Any) -> None:
        self.resource = resource
        self.user = user

    def __repr__(self) -> str:
        return f"<ModelManager {self.resource.name!r}>"

    @returns_result
    def create_one(self, data: dict[str, Any]) -> dict[str, Any]:
        return services.create(self.resource, data, self.user)

    @returns_result
    def create_many(self, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return services.create(self.resource, list(data), self.user)

    @returns_result
    def find_by_id(self, object_id: Any, *, lookups: list | None = None) -> dict[str, Any] | None:
        return services.get_object(self.resource, object_id, self.user, lookups=lookups)

    @returns_result
    def find_one(self, where: str | None = None, *, lookups: list | None = None, omit: list | None = None):
        return services.get_single(self.resource, _query(where, lookups=lookups, omit=omit), self.user)

    @returns_result
    def find_many(self, where: str | None = None, *, sort: dict[str, str] | None = None, limit: int | None = None,
                  page: int | None = None, lookups: list | None = None, omit: list | None = None,
                  return_count_info: bool = False):
        """``sort`` is ``{"field": "asc" | "desc", ...}`` in priority order."""
        sort_list = [{"field": k, "direction": v} for k, v in (sort or {}).items()] or None
        query = _query(where, sort=sort_list, limit=limit, page=page, lookups=lookups, omit=omit)
        return services.get_list(self.resource, query, self.user, return_count_info=return_count_info)

    @returns_result
    def count(self, where: str | None = None) -> int:
        return services.get_list(self.resource, _query(where, limit=1), self.user,
                                 return_count_info=True)["info"]["count"]

    @returns_result
    def update_by_id(self, object_id: Any, data: dict[str, Any]) -> dict[str, Any] | None:
        return services.update_object(self.resource, object_id, data, self.user)

    @returns_result
    def update_fields_by_id(self, object_id: Any, updates: list[dict[str, Any]]) -> dict[str, Any] | None:
        return services.update_object_fields(self.resource, object_id, updates, self.user)

    @returns_result
    def update_many(self, where: str | None, data: dict[str, Any]) -> dict[str, int]:
        return services.update(self.resource, _query(where), data, self.user)

    @returns_result
    def update_fields_many(self, where: str | None, updates: list[dict[str, Any]]) -> dict[str, int]:
        return services.update_fields(self.resource, _query(where), updates, self.user)

    @returns_result
    def delete_by_id(self, object_id: Any) -> None:
        return services.delete_object(self.resource, object_id, self.user)

    @returns_result
    def delete_many(self, where: str | None) -> dict[str, int]:
        return services.delete(self.resource, _query(where), self.user)

    @returns_result
    def aggregate(self, computations: list[dict[str, Any]], *, where: str | None = None,
                  group: list[str] | str | None = None, limit: int | None = None, page: int | None = None):
        return services.compute(self.resource, _query(where, group=group, limit=limit, page=page),
                                computations, self.user)

    @returns_result
    def search_text(self, text: str, *, where: str | None = None, limit: int | None = None, page: int | None = None):
        return services.search_text(self.resource, _query(where, limit=limit, page=page), text, self.user)

    @returns_result
    def fuzzy_search(self, field: str, text: str, *, where: str | None = None, limit: int | None = None):
        return services.fuzzy_search(self.resource, _query(where, limit=limit), field, text, self.user)


class DatabaseManager:
    def __init__(self, alias: str) -> None:
        self.alias = alias

    def model(self, name: str, *, user: Any = None, bypass_rules: bool = False):
        """The exposed model ``name``; ``user`` acts for that user, ``bypass_rules`` as
        the system."""
        try:
            resource = site.get(name)
        except ModelNotFound as exc:
            return FailedAccessor.for_exception(exc)
        if resource.database != self.alias:
            return FailedAccessor.for_exception(ModelNotFound(
                f"{name!r} is not a model of the database {self.alias!r}.", details={"model": name}))
        return ModelManager(resource, SYSTEM if bypass_rules else user)

    def transaction(self):
        """``with agnost.db().transaction(): ...`` — every call inside commits or rolls
        back together (Django's ``atomic`` on this alias)."""
        return transaction.atomic(using=self.alias)

    @returns_result
    def get_stats(self) -> dict[str, Any]:
        return services.stats(SYSTEM, database=self.alias)


def get_manager(alias: str):
    if alias not in settings.DATABASES:
        return FailedAccessor.for_exception(DatabaseNotFound(details={"database": alias}))
    return DatabaseManager(alias)
