"""``POST /_api/rest/v1/task`` and ``GET /_api/rest/v1/task/<id>`` (spec 3.6)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import ValidationFailed
from agnost_django.schedules import services
from agnost_django.schedules.conf import schedules_settings
from agnost_django.schedules.models import TaskRun




class RunSerializer(serializers.Serializer):
    taskNameOrId = serializers.CharField()


class TaskViewSet(AgnostViewSet):
    agnost_module = "task"

    @property
    def app_settings(self):
        return schedules_settings

    def get_serializer(self, *args, **kwargs):
        return RunSerializer(*args, **kwargs)

    @extend_schema(request=RunSerializer, responses=OpenApiTypes.OBJECT,
                   description="TaskInfo {taskId, scheduledTaskId, scheduledTaskName, triggeredAt, startedAt, "
                               "completedAt, status, errors}.")
    def run(self, request):
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise ValidationFailed("The body must be a JSON object.")
        run = services.trigger(body.get("taskNameOrId"), by=TaskRun.Trigger.CLIENT, from_client=True)
        return Response(services.info_json(run))

    @extend_schema(responses=OpenApiTypes.OBJECT, description="TaskInfo, or null for an unknown id.")
    def status(self, request, task_id: str):
        return Response(services.info_json(services.run_info(task_id)))
