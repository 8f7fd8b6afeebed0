"""The client's database routes under ``/_api/rest/v1/db/``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from agnost_django.core.api import AgnostViewSet
from agnost_django.core.exceptions import ValidationFailed
from agnost_django.core.schema import JSON_OBJECT, error_responses, listing, nullable
from agnost_django.data import serializers as s
from agnost_django.data import services
from agnost_django.data.conf import data_settings
from agnost_django.data.registry import site
from agnost_django.data.resources import Resource


_OBJECTS = {"oneOf": [JSON_OBJECT, {"type": "array", "items": JSON_OBJECT}]}


def _doc(request, response):
    """``extend_schema`` of one action: an unknown model or object is a 404, a backend
    without the operation (e.g. fuzzy search on SQLite) a 501."""
    return extend_schema(request=request, responses={200: response, **error_responses(404, 501)})


@extend_schema(tags=["data"])
class DataViewSet(AgnostViewSet):
    """QueryBuilder and DBObject operations on the exposed models."""

    agnost_module = "db"
    lean_calls = True

    @property
    def app_settings(self):
        return data_settings

    # Helpers
    @property
    def caller(self):
        user = self.request.user
        return user if user is not None and user.is_authenticated else None

    def resource(self) -> Resource:
        """The model named by ``model``; for a ``parent.sub`` name, the sub-model's own."""
        name = self.field("model")
        if not isinstance(name, str) or not name:
            raise ValidationFailed("model is required.", details={"field": "model"})
        parent, _dot, sub = name.partition(".")
        resource = site.get(parent)
        return services.child_resource(resource, sub)[0] if sub else resource

    def parent_and_sub(self) -> tuple[Resource, str]:
        name = self.field("model")
        parent, _dot, sub = (name if isinstance(name, str) else "").partition(".")
        if not sub:
            raise ValidationFailed("set and append need a sub-model name: parent.sub.", details={"field": "model"})
        return site.get(parent), sub

    def option(self, name: str) -> Any:
        options = self.field("options")
        return options.get(name) if isinstance(options, dict) else None

    def omit(self) -> list:
        query = self.field("query")
        return (query or {}).get("omit") or [] if isinstance(query, dict) else []

    # QueryBuilder
    @_doc(None, s.DatabaseStatsSerializer)
    def stats(self, request):
        return Response(services.stats(self.caller))

    @_doc(s.CreateSerializer, _OBJECTS)
    def create(self, request):
        return Response(services.create(self.resource(), self.field("values"), self.caller, omit=self.omit()))

    @_doc(s.ChildrenSerializer, JSON_OBJECT)
    def set(self, request):
        resource, sub = self.parent_and_sub()
        return Response(services.add_children(resource, sub, self.field("parentId"), self.field("values"),
                                              self.caller, replace=True, return_top=bool(self.field("returnTop")),
                                              omit=self.omit()))

    @_doc(s.ChildrenSerializer, _OBJECTS)
    def append(self, request):
        resource, sub = self.parent_and_sub()
        return Response(services.add_children(resource, sub, self.field("parentId"), self.field("values"),
                                              self.caller, replace=False, return_top=bool(self.field("returnTop")),
                                              omit=self.omit()))

    @_doc(s.GetListSerializer, listing(JSON_OBJECT))
    def get_list(self, request):
        return Response(services.get_list(self.resource(), self.field("query"), self.caller,
                                          return_count_info=self.field("returnCountInfo")))

    @_doc(s.ComputeSerializer, {"type": "array", "items": JSON_OBJECT})
    def compute(self, request):
        return Response(services.compute(self.resource(), self.field("query"), self.field("computations"), self.caller))

    @_doc(s.QueryModelSerializer, nullable(JSON_OBJECT))
    def get_single(self, request):
        return Response(services.get_single(self.resource(), self.field("query"), self.caller))

    @_doc(s.GetRandomSerializer, {"type": "array", "items": JSON_OBJECT})
    def get_random(self, request):
        return Response(services.get_random(self.resource(), self.field("query"), self.field("count"), self.caller))

    @_doc(s.UpdateSerializer, s.UpdatedSerializer)
    def update(self, request):
        return Response(services.update(self.resource(), self.field("query"), self.field("values"), self.caller))

    @_doc(s.UpdateFieldsSerializer, s.UpdatedSerializer)
    def update_fields(self, request):
        return Response(services.update_fields(self.resource(), self.field("query"), self.field("updates"),
                                               self.caller))

    @_doc(s.QueryModelSerializer, s.DeletedSerializer)
    def delete(self, request):
        return Response(services.delete(self.resource(), self.field("query"), self.caller))

    @_doc(s.SearchTextSerializer, listing(JSON_OBJECT))
    def search_text(self, request):
        return Response(services.search_text(self.resource(), self.field("query"), self.field("text"), self.caller,
                                             return_count_info=self.field("returnCountInfo")))

    @_doc(s.FuzzySearchSerializer, {"type": "array", "items": JSON_OBJECT})
    def fuzzy_search(self, request):
        return Response(services.fuzzy_search(self.resource(), self.field("query"), self.field("fieldName"),
                                              self.field("text"), self.caller))

    # DBObject
    @_doc(s.ObjectGetSerializer, nullable(JSON_OBJECT))
    def object_get(self, request):
        return Response(services.get_object(self.resource(), self.field("id"), self.caller,
                                            lookups=self.field("lookups")))

    @_doc(s.ObjectCreateSerializer, JSON_OBJECT)
    def object_create(self, request):
        return Response(services.create(self.resource(), self.field("values"), self.caller))

    @_doc(s.ObjectChildrenSerializer, JSON_OBJECT)
    def object_set(self, request):
        resource, sub = self.parent_and_sub()
        return Response(services.add_children(resource, sub, self.field("parentId"), self.field("values"),
                                              self.caller, replace=True, return_top=bool(self.option("returnTop"))))

    @_doc(s.ObjectChildrenSerializer, _OBJECTS)
    def object_append(self, request):
        resource, sub = self.parent_and_sub()
        return Response(services.add_children(resource, sub, self.field("parentId"), self.field("values"),
                                              self.caller, replace=False, return_top=bool(self.option("returnTop"))))

    @_doc(s.DBObjectSerializer, nullable(JSON_OBJECT))
    def object_delete(self, request):
        return Response(services.delete_object(self.resource(), self.field("id"), self.caller,
                                               return_top=self.option("returnTop")))

    @_doc(s.ObjectUpdateSerializer, JSON_OBJECT)
    def object_update(self, request):
        return Response(services.update_object(self.resource(), self.field("id"), self.field("values"), self.caller,
                                               return_top=self.option("returnTop")))

    @_doc(s.ObjectUpdateFieldsSerializer, JSON_OBJECT)
    def object_update_fields(self, request):
        return Response(services.update_object_fields(self.resource(), self.field("id"), self.field("updates"),
                                                      self.caller, return_top=self.option("returnTop")))
