"""Wire shapes of the database routes (spec 3.2 and 4), for the OpenAPI schema. The
services validate the input themselves; these serializers only describe it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agnost_django.core.schema import JSON_OBJECT

_OBJECTS = {"oneOf": [JSON_OBJECT, {"type": "array", "items": JSON_OBJECT}]}


@extend_schema_field(JSON_OBJECT)
class ObjectField(serializers.JSONField):
    """A JSON object (field values)."""


@extend_schema_field(_OBJECTS)
class ObjectsField(serializers.JSONField):
    """A JSON object or an array of objects."""


@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
                      "nullable": True})
class GroupField(serializers.JSONField):
    """Field paths, or an expression."""


def model_names(sub_models_only: bool = False) -> list[str]:
    """Names the ``model`` field accepts: the registered models and their sub-models
    (``parent.sub``)."""
    from agnost_django.data.registry import site

    names = []
    for name in site.names():
        if not sub_models_only:
            names.append(name)
        names.extend(f"{name}.{sub}" for sub in site.get(name).sub_models)
    return names


class SortSerializer(serializers.Serializer):
    field = serializers.CharField()
    direction = serializers.ChoiceField(["asc", "desc"])


class LookupSerializer(serializers.Serializer):
    """``{field}`` (a reference field), or ``{name, modelName, query}``."""

    field = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    modelName = serializers.CharField(required=False)
    query = serializers.CharField(required=False)


class QuerySerializer(serializers.Serializer):
    """The QueryBuilder's accumulated modifiers (spec 4.1); unused ones are ignored."""

    expression = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    lookups = LookupSerializer(many=True, allow_null=True, required=False)
    page = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    limit = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    sort = SortSerializer(many=True, allow_null=True, required=False)
    omit = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)
    group = GroupField(required=False)


class ModelNameSerializer(serializers.Serializer):
    """A body naming a model; ``model`` lists the names exposed on this server."""

    sub_models_only = False

    model = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = model_names(self.sub_models_only)
        if names:
            field = serializers.ChoiceField(names)
            component = "SubModelName" if self.sub_models_only else "ModelName"
            self.fields["model"] = extend_schema_field({"type": "string", "enum": names}, component)(field)


class QueryModelSerializer(ModelNameSerializer):
    query = QuerySerializer(allow_null=True, required=False)


class CreateSerializer(QueryModelSerializer):
    values = ObjectsField()


class ChildrenSerializer(QueryModelSerializer):
    """``set`` and ``append`` on a sub-model (``parent.sub``) of the object ``parentId``."""

    sub_models_only = True

    values = ObjectsField()
    parentId = serializers.CharField()
    returnTop = serializers.BooleanField(required=False)


class GetListSerializer(QueryModelSerializer):
    returnCountInfo = serializers.JSONField(required=False, help_text="Taken by truthiness.")


class ComputationSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(["count", "countif", "sum", "avg", "min", "max"])
    expression = serializers.CharField(required=False, allow_blank=True)
    sort = serializers.ChoiceField(["none", "asc", "desc"], required=False)


class ComputeSerializer(QueryModelSerializer):
    computations = ComputationSerializer(many=True)


class GetRandomSerializer(QueryModelSerializer):
    count = serializers.IntegerField(min_value=1)


class UpdateSerializer(QueryModelSerializer):
    values = ObjectField()


class FieldUpdateSerializer(serializers.Serializer):
    field = serializers.CharField()
    updateType = serializers.ChoiceField(
        ["set", "unset", "increment", "decrement", "min", "max", "multiply", "pull", "push", "pop", "shift"])
    value = serializers.JSONField(required=False)


class UpdateFieldsSerializer(QueryModelSerializer):
    updates = FieldUpdateSerializer(many=True)


class SearchTextSerializer(GetListSerializer):
    text = serializers.CharField()


class FuzzySearchSerializer(QueryModelSerializer):
    text = serializers.CharField()
    fieldName = serializers.CharField()


class ObjectOptionsSerializer(serializers.Serializer):
    cache = serializers.CharField(required=False, help_text="A hint: nocache, 1min, ...")
    returnTop = serializers.BooleanField(required=False)
    removeFromCache = serializers.BooleanField(required=False)


class DBObjectSerializer(ModelNameSerializer):
    """A DBObject call: the object ``id`` of ``model``."""

    id = serializers.CharField()
    options = ObjectOptionsSerializer(required=False)


class ObjectGetSerializer(DBObjectSerializer):
    id = serializers.CharField(required=False)
    lookups = LookupSerializer(many=True, required=False)


class ObjectCreateSerializer(ModelNameSerializer):
    values = ObjectField()
    options = ObjectOptionsSerializer(required=False)


class ObjectChildrenSerializer(DBObjectSerializer):
    sub_models_only = True

    id = serializers.CharField(required=False)
    values = ObjectsField()
    parentId = serializers.CharField()


class ObjectUpdateSerializer(DBObjectSerializer):
    values = ObjectField()


class ObjectUpdateFieldsSerializer(DBObjectSerializer):
    updates = FieldUpdateSerializer(many=True)


# Responses

class UpdatedSerializer(serializers.Serializer):
    totalMatch = serializers.IntegerField()
    updated = serializers.IntegerField()


class DeletedSerializer(serializers.Serializer):
    totalMatch = serializers.IntegerField()
    deleted = serializers.IntegerField()


class ModelCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class DatabaseStatsSerializer(serializers.Serializer):
    database = serializers.CharField()
    vendor = serializers.CharField()
    models = ModelCountSerializer(many=True)
