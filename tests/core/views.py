from django.http import Http404
from rest_framework.permissions import AllowAny

from agnost_django.core.api import AgnostAPIView


class BoomView(AgnostAPIView):
    agnost_module = "core"

    def get_permissions(self):
        return [AllowAny()]

    def get(self, request):
        raise RuntimeError("secret internals")


def plain_boom(request):
    raise RuntimeError("secret internals")


def plain_not_found(request):
    raise Http404("nothing here")
