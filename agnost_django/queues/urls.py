from django.urls import path

from agnost_django.queues.views import QueueViewSet

app_name = "agnost_queues"

urlpatterns = [
    path("queue", QueueViewSet.as_view({"post": "submit"}), name="queue"),
    path("queue/<str:message_id>", QueueViewSet.as_view({"get": "status"}), name="queue-status"),
]
