"""``GET /_storage/<file id>``: the ``publicPath`` of every file (see :mod:`.links`).

Public files are served to anyone, with a ``Cache-Control`` of
``AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE``; private files to their owner's or a staff session,
or with a valid signed ``?token=``, and never cached by shared caches. ``?download=1``
asks for an attachment. Active content (HTML, SVG, scripts) is always an attachment, sent
as ``application/octet-stream``.
"""

from __future__ import annotations

from agnost_django.core.api import AgnostAPIView
from agnost_django.storage.adapter import get_adapter
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import InvalidFileIdentifier, InvalidSignature, NotPublic
from agnost_django.storage.links import token_allows
from agnost_django.storage.models import StoredFile
from agnost_django.storage.responses import file_response


class PublicFileView(AgnostAPIView):
    agnost_module = "storage"
    schema = None  # not part of the client API's schema

    @property
    def app_settings(self):
        return storage_settings

    def get_permissions(self):
        return []  # no client key: browsers load these URLs from <img src>

    def get_throttles(self):
        return []

    def get(self, request, file_id):
        file = StoredFile.objects.select_related("bucket").filter(pk=file_id).first()
        if file is None:
            raise InvalidFileIdentifier(details={"file": str(file_id)})
        token = request.query_params.get("token")
        user = request.user if request.user.is_authenticated else None
        if file.is_public:
            cache_control = f"public, max-age={storage_settings.PUBLIC_CACHE_MAX_AGE}"
        elif token:
            if not token_allows(token, file.pk):
                raise InvalidSignature()
            cache_control = "private, no-store"
        elif get_adapter().can_read_file(user, file):
            cache_control = "private, no-store"
        else:
            raise NotPublic()
        download = request.query_params.get("download") not in (None, "", "0", "false")
        return file_response(file, request, attachment=download, neutralise_active=True, cache_control=cache_control)
