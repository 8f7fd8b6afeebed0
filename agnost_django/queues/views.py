"""``POST /_api/rest/v1/queue`` and ``GET /_api/rest/v1/queue/<id>`` (spec 3.6)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import ValidationFailed
from agnost_django.queues import services
from agnost_django.queues.conf import queues_settings


class SubmitSerializer(serializers.Serializer):
    queueNameOrId = serializers.CharField()
    message = serializers.JSONField(required=False)
    delay = serializers.FloatField(required=False, help_text="Seconds.")


class QueueViewSet(AgnostViewSet):
    agnost_module = "queue"

    @property
    def app_settings(self):
        return queues_settings

    def get_serializer(self, *args, **kwargs):
        return SubmitSerializer(*args, **kwargs)

    @extend_schema(request=SubmitSerializer, responses=OpenApiTypes.OBJECT,
                   description="MessageInfo {messageId, queueId, queueName, submittedAt, startedAt, completedAt, "
                               "status, errors}.")
    def submit(self, request):
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise ValidationFailed("The body must be a JSON object.")
        row = services.submit(body.get("queueNameOrId"), body.get("message"), delay=body.get("delay"),
                              from_client=True)
        return Response(services.info_json(row))

    @extend_schema(responses=OpenApiTypes.OBJECT, description="MessageInfo, or null for an unknown or purged id.")
    def status(self, request, message_id: str):
        return Response(services.info_json(services.message_info(message_id)))
