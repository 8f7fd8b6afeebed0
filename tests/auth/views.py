"""A host's own DRF view using agnost sessions."""

from rest_framework.response import Response
from rest_framework.views import APIView

from agnost_django.auth.authentication import SessionTokenAuthentication
from agnost_django.auth.permissions import IsSignedIn


class WhoAmI(APIView):
    authentication_classes = [SessionTokenAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request):
        return Response({"user": request.user.pk, "session": str(request.auth.public_id)})
