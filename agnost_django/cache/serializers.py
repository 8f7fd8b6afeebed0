"""Request and response shapes of the cache routes, for the OpenAPI schema and the browsable
API's forms; the views read the body with core's helpers and the services check it."""

from __future__ import annotations

from rest_framework import serializers


class JSONValueField(serializers.JSONField):
    """Any JSON value, ``null`` included."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(trim_whitespace=False)


class SetSerializer(KeySerializer):
    value = JSONValueField(required=True)
    ttl = serializers.JSONField(required=False, allow_null=True, help_text="Seconds.")


class DeleteSerializer(serializers.Serializer):
    keys = serializers.ListField(child=serializers.CharField(trim_whitespace=False), allow_empty=True)


class IncrementSerializer(KeySerializer):
    increment = serializers.JSONField(required=False, default=1)
    ttl = serializers.JSONField(required=False, allow_null=True, help_text="Seconds.")


class DecrementSerializer(KeySerializer):
    decrement = serializers.JSONField(required=False, default=1)
    ttl = serializers.JSONField(required=False, allow_null=True, help_text="Seconds.")


class ExpireSerializer(KeySerializer):
    ttl = serializers.JSONField(help_text="Seconds.")


class ListKeysSerializer(serializers.Serializer):
    pattern = serializers.CharField(required=False, allow_null=True, trim_whitespace=False)
    next = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class ValueSerializer(serializers.Serializer):
    value = serializers.IntegerField()


class KeyValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = JSONValueField()


class ListKeysResultSerializer(serializers.Serializer):
    data = KeyValueSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class StatsSerializer(serializers.Serializer):
    totalKeys = serializers.IntegerField()
    totalSize = serializers.IntegerField(help_text="Bytes of the serialised values.")
    backend = serializers.CharField()
    alias = serializers.CharField()
