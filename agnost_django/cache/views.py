"""The client's CacheManager routes under ``/_api/rest/v1/cache``."""

from __future__ import annotations

from urllib.parse import unquote

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from agnost_django.cache import quotas, serializers, services
from agnost_django.cache.conf import cache_settings
from agnost_django.cache.quotas import CacheWriteThrottle
from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import ValidationFailed
from agnost_django.core.schema import ANY_JSON, NULL, error_responses, nullable


def wrap_value(value):
    """Objects and arrays go out as stored; primitives as ``{"value": v}`` (spec 3.7)."""
    if value is None or isinstance(value, (dict, list)):
        return value
    return {"value": value}


WRITES = {"set_key", "delete_keys", "increment", "decrement", "expire"}
# What an increment, decrement, expire or delete counts against the byte quota, besides its key.
SMALL_WRITE = 16

# Every cache operation may meet a missing alias, an oversized key or value, a backend
# without the operation or one that is down.
ERRORS = error_responses(404, 413, 501, 503)


@extend_schema(tags=["cache"])
class CacheViewSet(AgnostViewSet):
    """Key-value operations on the cache alias ``AGNOST_CACHE_ALIAS``."""

    agnost_module = "cache"

    @property
    def app_settings(self):
        return cache_settings

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in WRITES:
            throttles.append(CacheWriteThrottle())
        return throttles

    def get_serializer(self, *args, **kwargs):
        # Gives the browsable API a form for each action.
        classes = {
            "set_key": serializers.SetSerializer,
            "delete_keys": serializers.DeleteSerializer,
            "increment": serializers.IncrementSerializer,
            "decrement": serializers.DecrementSerializer,
            "expire": serializers.ExpireSerializer,
            "list_keys": serializers.ListKeysSerializer,
        }
        return classes.get(self.action, serializers.KeySerializer)(*args, **kwargs)

    def key(self) -> str:
        return services.validate_key(self.required("key"))

    @extend_schema(
        operation_id="cache_get",
        parameters=[OpenApiParameter("key", str, required=True, description="Not URL-encoded by the client.")],
        responses={200: nullable(ANY_JSON), **ERRORS},
        description="The stored object or array, a primitive as {\"value\": v}, or null.",
    )
    def get_key(self, request):
        # The client sends `?key=<raw key>`: all that follows `key=` is the key, "&" included.
        raw = request.META.get("QUERY_STRING", "")
        key = unquote(raw[4:]) if raw.startswith("key=") else request.query_params.get("key", "")
        return Response(wrap_value(services.get_value(self.required("key", {"key": key}))))

    @extend_schema(operation_id="cache_set", request=serializers.SetSerializer, responses={200: NULL, **ERRORS})
    def set_key(self, request):
        key = self.key()
        if "value" not in self.body():
            raise ValidationFailed("value is required.", details={"field": "value", "reason": "required"})
        value = services.validate_value(self.field("value"))
        quotas.charge(request, len(key.encode()) + services.value_size(value))
        services.set_value(key, value, ttl=self.field("ttl") or None)
        return Response()

    @extend_schema(operation_id="cache_delete", request=serializers.DeleteSerializer, responses={200: NULL, **ERRORS})
    def delete_keys(self, request):
        keys = self.field("keys")
        if not isinstance(keys, list):
            raise ValidationFailed("keys must be a list of keys.", details={"field": "keys"})
        keys = [services.validate_key(key) for key in keys]
        quotas.charge(request, SMALL_WRITE * len(keys))
        services.delete_keys(keys)
        return Response()

    @extend_schema(request=serializers.IncrementSerializer, responses={200: serializers.ValueSerializer, **ERRORS})
    def increment(self, request):
        key = self.key()
        quotas.charge(request, len(key.encode()) + SMALL_WRITE)
        value = services.increment(key, self.field("increment", 1), ttl=self.field("ttl") or None)
        return Response({"value": value})

    @extend_schema(request=serializers.DecrementSerializer, responses={200: serializers.ValueSerializer, **ERRORS})
    def decrement(self, request):
        key = self.key()
        quotas.charge(request, len(key.encode()) + SMALL_WRITE)
        value = services.decrement(key, self.field("decrement", 1), ttl=self.field("ttl") or None)
        return Response({"value": value})

    @extend_schema(request=serializers.ExpireSerializer, responses={200: NULL, **ERRORS})
    def expire(self, request):
        key = self.key()
        ttl = services.validate_ttl(self.field("ttl"), required=True)  # before the quota is charged
        quotas.charge(request, len(key.encode()) + SMALL_WRITE)
        services.expire(key, ttl)
        return Response()

    @extend_schema(responses={200: serializers.StatsSerializer, **ERRORS})
    def stats(self, request):
        return Response(services.get_stats())

    @extend_schema(request=serializers.ListKeysSerializer, responses={200: serializers.ListKeysResultSerializer, **ERRORS})
    def list_keys(self, request):
        return Response(services.list_keys_page(self.field("pattern"), cursor=self.field("next") or None))
