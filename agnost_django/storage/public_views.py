"""``GET /_storage/<file id>``: the ``publicPath`` of every file (see :mod:`.links`).

Public files are served to anyone with ``Cache-Control: public, no-cache``, an ``ETag``
(the SHA-256) and a ``Last-Modified``: a browser or a CDN may keep the bytes but asks again
on every use, and a request whose ``If-None-Match`` / ``If-Modified-Since`` still matches
gets a 304 without the bytes. The privacy check comes first, so a file made private (or
deleted, or replaced) is never shown from a cache afterwards. A host may trade that for
fewer requests with ``AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE`` (``public, max-age=N``: a
privacy change then reaches caches up to N seconds late). Private files go to their
owner's or a staff session, or with a valid signed ``?token=``, and are never stored
(``private, no-store``). ``?download=1`` asks for an attachment. Active content (HTML, SVG,
scripts) is always an attachment, sent as ``application/octet-stream``.
"""

from __future__ import annotations

from agnost_django.core.api import AgnostAPIView
from agnost_django.storage.adapter import get_adapter
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import InvalidFileIdentifier, InvalidSignature, NotPublic
from agnost_django.storage.links import token_allows
from agnost_django.storage.models import StoredFile
from agnost_django.storage.responses import file_response, not_modified


def public_cache_control() -> str:
    max_age = storage_settings.PUBLIC_CACHE_MAX_AGE
    return f"public, max-age={max_age}" if max_age else "public, no-cache"


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
            cache_control = public_cache_control()
            unchanged = not_modified(request, file, cache_control)
            if unchanged is not None:
                return unchanged
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
