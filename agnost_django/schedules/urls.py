from django.urls import path

from agnost_django.schedules.views import TaskViewSet

app_name = "agnost_schedules"

urlpatterns = [
    path("task", TaskViewSet.as_view({"post": "run"}), name="task"),
    path("task/<str:task_id>", TaskViewSet.as_view({"get": "status"}), name="task-status"),
]
