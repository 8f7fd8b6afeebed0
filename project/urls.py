from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("agnost_django.urls")),
    path("", include("project.demo.urls")),  # the demo page at /
]
