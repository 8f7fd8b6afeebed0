"""``POST /_api/rest/v1/task`` and ``GET /_api/rest/v1/task/<id>`` (spec 3.6)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.schema import error_responses, nullable
from agnost_django.schedules import services
from agnost_django.schedules.conf import schedules_settings
from agnost_django.schedules.models import TaskRun




class RunSerializer(serializers.Serializer):
    taskNameOrId = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from agnost_django.schedules.registry import tasks

        names = [entry.name for entry in tasks if entry.options.get("clients")]
        if names:  # the schema lists the tasks open to clients
            self.fields["taskNameOrId"] = serializers.ChoiceField(names)


class TaskInfoSerializer(serializers.Serializer):
    taskId = serializers.CharField()
    scheduledTaskId = serializers.CharField()
    scheduledTaskName = serializers.CharField()
    triggeredAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(["pending", "processing", "completed", "errors"])
    errors = serializers.ListField(child=serializers.JSONField(), allow_null=True)
    trigger = serializers.ChoiceField(["schedule", "server", "client", "admin"])


@extend_schema(tags=["tasks"])
class TaskViewSet(AgnostViewSet):
    agnost_module = "task"

    @property
    def app_settings(self):
        return schedules_settings

    def get_serializer(self, *args, **kwargs):
        return RunSerializer(*args, **kwargs)

    @extend_schema(request=RunSerializer, responses={200: TaskInfoSerializer, **error_responses(404)},
                   description="Triggers a run of the task; its TaskInfo.")
    def run(self, request):
        body = self.body()
        run = services.trigger(body.get("taskNameOrId"), by=TaskRun.Trigger.CLIENT, from_client=True)
        return Response(services.info_json(run))

    @extend_schema(responses={200: nullable({"$ref": "#/components/schemas/TaskInfo"})},
                   description="TaskInfo, or null for an unknown id.",
                   parameters=[OpenApiParameter("task_id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
    def status(self, request, task_id: str):
        return Response(services.info_json(services.run_info(task_id)))
