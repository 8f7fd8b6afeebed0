"""``POST /_api/rest/v1/queue`` and ``GET /_api/rest/v1/queue/<id>`` (spec 3.6)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.schema import error_responses, nullable
from agnost_django.queues import services
from agnost_django.queues.conf import queues_settings


class SubmitSerializer(serializers.Serializer):
    queueNameOrId = serializers.CharField()
    message = serializers.JSONField(required=False)
    delay = serializers.FloatField(required=False, min_value=0, max_value=366 * 86400, help_text="Seconds.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from agnost_django.queues.registry import queues

        names = [entry.name for entry in queues if entry.options.get("clients")]
        if names:  # the schema lists the queues open to clients
            self.fields["queueNameOrId"] = serializers.ChoiceField(names)


class MessageInfoSerializer(serializers.Serializer):
    messageId = serializers.CharField()
    queueId = serializers.CharField()
    queueName = serializers.CharField()
    submittedAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(["pending", "processing", "completed", "errors"])
    errors = serializers.ListField(child=serializers.JSONField(), allow_null=True)
    attempts = serializers.IntegerField()
    delay = serializers.FloatField()


@extend_schema(tags=["queues"])
class QueueViewSet(AgnostViewSet):
    agnost_module = "queue"

    @property
    def app_settings(self):
        return queues_settings

    def get_serializer(self, *args, **kwargs):
        return SubmitSerializer(*args, **kwargs)

    @extend_schema(request=SubmitSerializer, responses={200: MessageInfoSerializer, **error_responses(404, 413)},
                   description="Submits a message; its MessageInfo.")
    def submit(self, request):
        body = self.body()
        row = services.submit(body.get("queueNameOrId"), body.get("message"), delay=body.get("delay"),
                              from_client=True)
        return Response(services.info_json(row))

    @extend_schema(responses={200: nullable({"$ref": "#/components/schemas/MessageInfo"})},
                   parameters=[OpenApiParameter("message_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
                   description="MessageInfo, or null for an unknown or purged id.")
    def status(self, request, message_id: str):
        return Response(services.info_json(services.message_info(message_id)))
