"""Parsers and renderers of the agnost views.

The JSON parser has a size limit (DRF reads the raw stream, bypassing Django's own);
the JSON renderer writes ``null`` for ``None`` (the client expects a JSON ``null`` body).
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import AgnostAPIError, CoreErrorCode


class RequestBodyTooLarge(AgnostAPIError):
    """The request body exceeds its limit, ``DATA_UPLOAD_MAX_MEMORY_SIZE`` by default (413)."""

    status_code = 413
    default_code = CoreErrorCode.REQUEST_BODY_SIZE_TOO_LARGE.value


def body_too_large(limit: int | None = None) -> RequestBodyTooLarge:
    if limit is None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestBodyTooLarge(
        _("The request body is larger than %(limit)s bytes.") % {"limit": limit},
        details={"limit": limit},
    )


class LimitedJSONParser(JSONParser):
    """JSON bodies up to ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes; larger bodies are
    refused with 413 before more than that is read."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise body_too_large(limit)
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise body_too_large(limit)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        return loads(text)


class JSONTooDeep(AgnostAPIError):
    """A JSON body nested deeper than ``AGNOST_CORE_JSON_MAX_DEPTH`` (400)."""

    default_code = CoreErrorCode.JSON_TOO_DEEP.value


def loads(text: str | bytes):
    """``json.loads`` for what clients send: strict (no NaN/Infinity), and at most
    ``AGNOST_CORE_JSON_MAX_DEPTH`` arrays/objects deep (a RecursionError is never a 500)."""
    limit = core_settings.JSON_MAX_DEPTH

    def too_deep():
        return JSONTooDeep(_("The JSON body is nested deeper than %(limit)s levels.") % {"limit": limit},
                           details={"limit": limit})

    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise too_deep() from None
    except ValueError as exc:
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
    if _depth_exceeds(value, limit):
        raise too_deep()
    return value


def _depth_exceeds(value, limit: int) -> bool:
    level = [value]
    for _depth in range(limit):
        level = [child for item in level if isinstance(item, (list, dict))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, (list, dict)) for item in level)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class NullJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, except that ``None`` is rendered as ``null``, not as an empty body."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b"null"
        return super().render(data, accepted_media_type, renderer_context)


def raw_query_dict(query_string: str) -> QueryDict:
    """Parse a query string with percent-decoding only: ``+`` stays ``+`` (spec 1.5)."""
    query = QueryDict(mutable=True)
    for part in query_string.split("&"):
        if part:
            key, _sep, value = part.partition("=")
            query.appendlist(unquote(key), unquote(value))
    query._mutable = False
    return query
