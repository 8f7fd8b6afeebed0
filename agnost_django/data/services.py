"""Every database operation of the client and the server library.

Each function takes the resource (an exposed model), the caller (``user``, ``None`` for
anonymous) and the client's arguments; access rules narrow every queryset. Writes run in a
transaction on the resource's database and send ``object_*`` signals after it commits.
Other apps use this module (and :mod:`.signals`) only: :func:`serialize` gives them an
object's client JSON (realtime publishes it with ``object_created``).
"""

from __future__ import annotations

import copy
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Avg, Count, Max, Min, Sum

from agnost_django.core.exceptions import FieldErrors, ValidationFailed, error_item
from agnost_django.core.expressions import compile_filter, compile_value
from agnost_django.core.wire import to_json
from agnost_django.data import exceptions, signals, statements
from agnost_django.data.conf import data_settings
from agnost_django.data.inputs import decimal_input
from agnost_django.data.query import (
    Lookups, Query, ResourceFieldResolver, apply_filter, apply_sort, count_info, count_matches, page_and_count,
    page_bounds, parse_query, resolve_path, serialize,
)
from agnost_django.data.resources import SYSTEM, Resource
from agnost_django.data.updates import build_updates, expressions, parse_updates

# Django validation codes -> Agnost field error codes.
_VALIDATION_CODES = {
    "required": "missing_required_field_value", "blank": "missing_required_field_value",
    "null": "missing_required_field_value", "max_length": "max_length_threshold_exceeded",
    "min_length": "min_length_threshold_not_met", "invalid_choice": "invalid_enumeration_value",
    "unique": "not_unique_value", "max_value": "max_value_threshold_exceeded",
    "min_value": "min_value_threshold_not_met", "max_digits": "max_digits_exceeded",
    "max_decimal_places": "max_decimal_places_exceeded",
}
_INVALID_BY_TYPE = (
    (models.EmailField, "invalid_email_address"), (models.URLField, "invalid_URL"),
    (models.DateTimeField, "not_datetime_value"), (models.DateField, "not_date_value"),
    (models.TimeField, "not_time_value"), (models.DecimalField, "not_decimal_value"),
    (models.FloatField, "not_decimal_value"), (models.IntegerField, "not_integer_value"),
    (models.BooleanField, "not_boolean_value"), (models.ForeignKey, "invalid_reference_value"),
)


def _field_errors(resource: Resource, exc: ValidationError) -> FieldErrors:
    items = []
    for name, errors in exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]:
        try:
            model_field = resource.model._meta.get_field(name) if name and name != "__all__" else None
        except Exception:
            model_field = None
        for error in errors:
            code = _VALIDATION_CODES.get(error.code or "")
            if code is None and model_field is not None:
                code = next((c for klass, c in _INVALID_BY_TYPE if isinstance(model_field, klass)), None)
            message = " ".join(error.messages)
            details = {"field": name} if name and name != "__all__" else {}
            items.append(error_item(400, code or "validation_error", message, details or None))
    return FieldErrors(items)


def _values(resource: Resource, values: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ValidationFailed("values must be an object.", details={"field": "values"})
    cleaned = {}
    for name, value in values.items():
        if name == "_id" and not creating:
            continue
        model_field = resource.writable_field(name, creating=creating)
        key = model_field.attname if model_field.is_relation else model_field.name
        cleaned[key] = decimal_input(model_field, value)
    return cleaned


def _save(resource: Resource, obj: models.Model, *, savepoint: bool = True) -> None:
    try:
        # The owner set from the signed-in user needs no check that it exists (a query).
        obj.full_clean(exclude=getattr(obj, "_agnost_trusted_fields", None))
    except ValidationError as exc:
        raise _field_errors(resource, exc) from None
    # Alone, the INSERT or UPDATE is a transaction of its own; in a caller's transaction, a
    # savepoint keeps that transaction usable after a refused one (a unique value taken).
    guarded = savepoint and transaction.get_connection(resource.database).in_atomic_block
    insert = statements.insert(resource, obj) if obj._state.adding else None
    try:
        with transaction.atomic(using=resource.database) if guarded else nullcontext():
            if insert:  # one compiled INSERT, where save() would do nothing more
                insert()
            else:
                obj.save(using=resource.database)
    except IntegrityError as exc:
        raise FieldErrors([error_item(400, "not_unique_value", str(exc).splitlines()[0], None)]) from None


def queryset(resource: Resource, operation: str, user: Any) -> models.QuerySet:
    return resource.queryset(operation, user)


def _check_rule(resource: Resource, operation: str, user: Any) -> None:
    """Raise unless ``user`` may ``operation`` some objects (without building a queryset
    unless the resource has its own)."""
    if resource.narrows_by_access():
        resource.access(operation, user)
    else:
        resource.queryset(operation, user)


def _new(resource: Resource, values: Any, user: Any, **extra: Any) -> models.Model:
    data = _values(resource, values, creating=True)
    obj = resource.model(**extra)
    for name, value in data.items():
        if name == "_id":
            name = resource.model._meta.pk.attname
        setattr(obj, name, value)
    if resource.owner_field and user is not None and user is not SYSTEM and user.is_authenticated:
        setattr(obj, resource.owner_field, user)
        obj._agnost_trusted_fields = [resource.owner_field]
    return obj


def _on_commit(resource: Resource, signal, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=resource.model, resource=resource, **kwargs),
                          using=resource.database)


# Create -----------------------------------------------------------------------------------

def create(resource: Resource, values: Any, user: Any, *, omit: list[str] = ()) -> Any:
    """One object, or an array of objects (all or nothing)."""
    _check_rule(resource, "create", user)
    many = isinstance(values, list)
    batch = values if many else [values]
    if many and len(batch) > data_settings.MAX_CREATE_BATCH:
        raise ValidationFailed(f"At most {data_settings.MAX_CREATE_BATCH} objects per create.",
                               details={"field": "values"})
    created = []
    # One object: one INSERT ... RETURNING; several: all or nothing.
    with transaction.atomic(using=resource.database) if many else nullcontext():
        for item in batch:
            obj = _new(resource, item, user)
            _save(resource, obj, savepoint=not many)
            created.append(obj)
        _on_commit(resource, signals.object_created, objects=created, user=user)
    result = [serialize(resource, obj, omit=omit) for obj in created]
    return result if many else result[0]


# Read ---------------------------------------------------------------------------------

def _read(resource: Resource, query: Query, user: Any) -> tuple[models.QuerySet, Lookups]:
    lookups = Lookups.parse(resource, query.lookups)
    qs = lookups.apply(queryset(resource, "read", user), user)
    qs = apply_filter(qs, resource, query.expression, lookups)
    accessors = list(resource.sub_models.values())
    return (qs.prefetch_related(*accessors) if accessors else qs), lookups


def get_list(resource: Resource, raw_query: Any, user: Any, *, return_count_info: Any = False) -> Any:
    query = parse_query(raw_query)
    qs, lookups = _read(resource, query, user)
    qs = apply_sort(qs, resource, query.sort, lookups)
    return _listing(resource, qs, lookups, query, user, return_count_info)


def _listing(resource: Resource, qs: models.QuerySet, lookups: Lookups, query: Query, user: Any,
             return_count_info: Any) -> Any:
    """The query's page of ``qs``; with ``return_count_info``, ``{info, data}`` (the page and
    the count fetched together where :func:`page_and_count` can)."""
    offset, limit = page_bounds(query)
    if not return_count_info:
        return _page(resource, qs[offset:offset + limit], lookups, query, user)
    rows, total = page_and_count(qs, offset, limit) or (qs[offset:offset + limit], None)
    data = _page(resource, rows, lookups, query, user)
    return {"info": count_info(count_matches(qs) if total is None else total, query.page, limit), "data": data}


def _page(resource: Resource, rows, lookups: Lookups, query: Query, user: Any) -> list[dict[str, Any]]:
    objects = list(rows)
    lookups.load(objects, user)
    return [serialize(resource, obj, lookups=lookups, omit=query.omit) for obj in objects]


def get_single(resource: Resource, raw_query: Any, user: Any) -> dict[str, Any] | None:
    query = parse_query(raw_query)
    qs, lookups = _read(resource, query, user)
    rows = _page(resource, qs.order_by("pk")[:1], lookups, query, user)
    return rows[0] if rows else None


def get_random(resource: Resource, raw_query: Any, count: Any, user: Any) -> list[dict[str, Any]]:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValidationFailed("count must be a positive integer.", details={"field": "count"})
    query = parse_query(raw_query)
    qs, lookups = _read(resource, query, user)
    return _page(resource, qs.order_by("?")[: min(count, data_settings.MAX_LIMIT)], lookups, query, user)


def _pk(resource: Resource, value: Any) -> Any:
    if value is None or value == "":
        raise exceptions.InvalidIdValue("An id is required.", details={"field": "id"})
    try:
        return resource.model._meta.pk.to_python(value)
    except ValidationError:
        raise exceptions.InvalidIdValue(f"{value!r} is not an id of {resource.name}.", details={"id": str(value)}) from None


def get_object(resource: Resource, object_id: Any, user: Any, *, lookups: Any = None) -> dict[str, Any] | None:
    if not lookups and not resource.sub_models:
        run = statements.read(resource, user)  # checks the rule
        if run is not None:
            rows = run(_pk(resource, object_id))
            return serialize(resource, rows[0]) if rows else None
    parsed = Lookups.parse(resource, lookups or [])
    qs = parsed.apply(queryset(resource, "read", user), user)
    accessors = list(resource.sub_models.values())
    if accessors:
        qs = qs.prefetch_related(*accessors)
    rows = _page(resource, qs.filter(pk=_pk(resource, object_id)), parsed, Query(), user)
    return rows[0] if rows else None


# Update and delete --------------------------------------------------------------------

def _matches(resource: Resource, raw_query: Any, operation: str, user: Any) -> models.QuerySet:
    query = parse_query(raw_query)
    Lookups.parse(resource, query.lookups)  # validated; filters may use looked-up paths
    return apply_filter(queryset(resource, operation, user), resource, query.expression)


def _clean_for_update(resource: Resource, values: Any) -> dict[str, Any]:
    data = _values(resource, values, creating=False)
    errors = []
    cleaned = {}
    for name, value in data.items():
        model_field = next(f for f in resource.model._meta.concrete_fields if name in (f.name, f.attname))
        try:
            cleaned[name] = model_field.clean(value, None) if not model_field.is_relation else (
                None if value is None else model_field.target_field.to_python(value))
        except ValidationError as exc:
            errors.extend(_field_errors(resource, ValidationError({model_field.name: exc.error_list})).items)
    if errors:
        raise FieldErrors(errors)
    return cleaned


def update(resource: Resource, raw_query: Any, values: Any, user: Any) -> dict[str, int]:
    cleaned = _clean_for_update(resource, values)
    with transaction.atomic(using=resource.database):
        qs = _matches(resource, raw_query, "update", user)
        ids = list(qs.values_list("pk", flat=True))
        updated = resource.model._default_manager.using(resource.database).filter(pk__in=ids).update(**cleaned) if cleaned else 0
        _on_commit(resource, signals.object_updated, ids=ids, user=user)
    return {"totalMatch": len(ids), "updated": updated}


def update_fields(resource: Resource, raw_query: Any, instructions: Any, user: Any) -> dict[str, int]:
    changes = build_updates(resource, instructions)
    with transaction.atomic(using=resource.database):
        qs = _matches(resource, raw_query, "update", user)
        ids = list(qs.values_list("pk", flat=True))
        updated = resource.model._default_manager.using(resource.database).filter(pk__in=ids).update(**changes)
        _on_commit(resource, signals.object_updated, ids=ids, user=user)
    return {"totalMatch": len(ids), "updated": updated}


def delete(resource: Resource, raw_query: Any, user: Any) -> dict[str, int]:
    with transaction.atomic(using=resource.database):
        qs = _matches(resource, raw_query, "delete", user)
        ids = list(qs.values_list("pk", flat=True))
        manager = resource.model._default_manager.using(resource.database)
        deleted = manager.filter(pk__in=ids).delete()[1].get(resource.model._meta.label, 0)
        _on_commit(resource, signals.object_deleted, ids=ids, user=user)
    return {"totalMatch": len(ids), "deleted": deleted}


def _after_change(resource: Resource, pk: Any, parent: tuple[Resource, Any] | None) -> dict[str, Any] | None:
    """What an object route answers: the changed object (as ``get`` shows it, sub-objects
    included), or with ``returnTop`` on a sub-object, its top-level parent. The caller just
    changed it, so it is read back without the read rule."""
    if parent is not None:
        top_resource, top_id = parent
        return get_object(top_resource, top_id, SYSTEM) if top_id is not None else None
    return get_object(resource, pk, SYSTEM)


def _top(resource: Resource, obj_or_pk: Any, return_top: Any) -> tuple[Resource, Any] | None:
    """``(parent resource, parent id)`` when ``returnTop`` asks for a sub-object's parent."""
    parent_resource = getattr(resource, "parent_resource", None)
    if not return_top or parent_resource is None:
        return None
    if not isinstance(obj_or_pk, models.Model):
        obj_or_pk = resource.model._default_manager.using(resource.database).filter(pk=obj_or_pk).first()
    return parent_resource, getattr(obj_or_pk, resource.parent_field, None) if obj_or_pk is not None else None


def update_object(resource: Resource, object_id: Any, values: Any, user: Any, *, return_top: Any = False) -> dict[str, Any] | None:
    data = _values(resource, values, creating=False)
    with transaction.atomic(using=resource.database):
        obj = queryset(resource, "update", user).select_for_update().filter(pk=_pk(resource, object_id)).first()
        if obj is None:
            return None
        for name, value in data.items():
            setattr(obj, name, value)
        _save(resource, obj)
        _on_commit(resource, signals.object_updated, ids=[obj.pk], user=user)
    return _after_change(resource, obj.pk, _top(resource, obj, return_top))


def update_object_fields(resource: Resource, object_id: Any, instructions: Any, user: Any, *,
                         return_top: Any = False) -> dict[str, Any] | None:
    parsed = parse_updates(resource, instructions)
    pk = _pk(resource, object_id)
    # Without sub-objects to read back, one UPDATE ... RETURNING gives the changed object.
    plain = (not resource.sub_models and not (return_top and getattr(resource, "parent_resource", None))
             and statements.supported(resource.database))
    with nullcontext() if plain else transaction.atomic(using=resource.database):  # one statement needs none
        run = statements.update(resource, user, parsed, expressions) if plain else None  # checks the rule
        if run is not None:
            rows = run(pk)
            if not rows:
                return None
            obj = rows[0]
        elif plain:
            obj = statements.update_once(queryset(resource, "update", user).filter(pk=pk), expressions(parsed))
            if obj is None:
                return None
        else:
            obj = None
            if not queryset(resource, "update", user).filter(pk=pk).update(**expressions(parsed)):
                return None
        _on_commit(resource, signals.object_updated, ids=[pk], user=user)
    if obj is not None:
        return serialize(resource, obj)
    return _after_change(resource, pk, _top(resource, pk, return_top))


def delete_object(resource: Resource, object_id: Any, user: Any, *, return_top: Any = False) -> dict[str, Any] | None:
    """``null`` for a top-level object; with ``returnTop`` on a sub-object, its parent."""
    pk = _pk(resource, object_id)
    top = _top(resource, pk, return_top)
    with transaction.atomic(using=resource.database):
        deleted, _by_model = queryset(resource, "delete", user).filter(pk=pk).delete()
        if deleted:
            _on_commit(resource, signals.object_deleted, ids=[pk], user=user)
    return _after_change(resource, pk, top) if top is not None and deleted else None


# Sub-models -----------------------------------------------------------------------------

def child_resource(resource: Resource, sub_name: str) -> tuple[Resource, models.Field]:
    """The registered resource of a sub-model and the child's foreign key to its parent."""
    from agnost_django.data.registry import site

    accessor = resource.sub_models.get(sub_name)
    if accessor is None:
        raise exceptions.SubmodelNotFound(f"{resource.name} has no sub-model {sub_name!r}.", details={"model": f"{resource.name}.{sub_name}"})
    relation = resource.model._meta.get_field(accessor)
    child = site.for_model(relation.related_model)
    if child is None:
        raise exceptions.SubmodelNotFound(details={"model": f"{resource.name}.{sub_name}"})
    child = copy.copy(child)  # this request's view of it: a sub-model of ``resource``
    child.parent_resource, child.parent_field = resource, relation.field.attname
    return child, relation.field


def add_children(resource: Resource, sub_name: str, parent_id: Any, values: Any, user: Any, *,
                 replace: bool, return_top: bool, omit: list[str] | tuple[str, ...] = ()) -> Any:
    """``append`` (add) or ``set`` (replace the sub-object of a one-to-one sub-model)."""
    child, fk = child_resource(resource, sub_name)
    if replace and not fk.one_to_one:
        raise ValidationFailed(f"{sub_name!r} is a list: use append.", details={"field": "values"})
    pk = _pk(resource, parent_id)
    with transaction.atomic(using=resource.database):
        parent = queryset(resource, "update", user).select_for_update().filter(pk=pk).first()
        if parent is None:
            raise exceptions.InvalidIdValue(f"No {resource.name} with id {parent_id!r}.", details={"id": str(parent_id)})
        if replace:
            child.model._default_manager.using(child.database).filter(**{fk.name: parent}).delete()
        many = isinstance(values, list)
        created = []
        for item in (values if many else [values]):
            if isinstance(item, dict):
                item = {k: v for k, v in item.items() if k != fk.name}
            obj = _new(child, item, user, **{fk.name: parent})
            _save(child, obj)
            created.append(obj)
        _on_commit(child, signals.object_created, objects=created, user=user)
    if return_top:
        return get_object(resource, pk, user)
    result = [serialize(child, obj, parent=pk, omit=omit) for obj in created]
    return result if many else result[0]


# Compute ------------------------------------------------------------------------------

_AGGREGATES = {"sum": Sum, "avg": Avg, "min": Min, "max": Max}


def compute(resource: Resource, raw_query: Any, computations: Any, user: Any) -> list[dict[str, Any]]:
    query = parse_query(raw_query)
    if not isinstance(computations, list) or not computations:
        raise exceptions.InvalidComputations("computations must be a non-empty array.")
    resolver = ResourceFieldResolver(resource)
    qs = apply_filter(queryset(resource, "read", user), resource, query.expression)
    # Generated aliases only: client names become result keys in Python, never SQL aliases.
    group_aliases: dict[str, str] = {}
    references: set[str] = set()  # group keys that hold ids, sent as strings like elsewhere
    annotations: dict[str, Any] = {}
    group = query.group
    if isinstance(group, list):
        for index, path in enumerate(group):
            orm_path, model_field = resolve_path(resource, path)
            group_aliases[f"_g{index}"] = path
            if model_field.is_relation or model_field.primary_key:
                references.add(f"_g{index}")
            annotations[f"_g{index}"] = models.F(orm_path)
    elif isinstance(group, str) and group:
        group_aliases["_g0"] = "group"
        annotations["_g0"] = compile_value(group, resolver)
    elif group not in (None, "", []):
        raise exceptions.InvalidGrouping("group is a list of fields or an expression.")
    aggregates: dict[str, Any] = {"_n": Count("pk")}
    names: dict[str, str] = {}
    ordering = []
    for index, entry in enumerate(computations):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise exceptions.InvalidComputationEntry("Each computation needs a name.", details={"index": index})
        kind = entry.get("type")
        alias = f"_c{index}"
        names[alias] = entry["name"]
        if kind == "count":
            aggregates[alias] = Count("pk")
        elif kind == "countif":
            aggregates[alias] = Count("pk", filter=compile_filter(_require_expression(entry, index), resolver))
        elif kind in _AGGREGATES:
            aggregates[alias] = _AGGREGATES[kind](compile_value(_require_expression(entry, index), resolver))
        else:
            raise exceptions.InvalidComputationEntry(f"Unknown computation type {kind!r}.", details={"index": index})
        sort = entry.get("sort", "none")
        if sort not in (None, "none", "asc", "desc"):
            raise exceptions.InvalidComputationEntry("sort is none, asc or desc.", details={"index": index})
        if sort in ("asc", "desc"):
            ordering.append(("-" if sort == "desc" else "") + alias)
    offset, limit = page_bounds(query)
    if annotations:
        rows = qs.annotate(**annotations).values(*annotations).annotate(**aggregates)
        rows = rows.order_by(*ordering, *annotations)[offset:offset + limit]
        results = list(rows)
    else:
        totals = qs.aggregate(**aggregates)
        results = [totals] if totals["_n"] and offset == 0 else []
    return [
        {
            **({"groupby": {group_aliases[a]: _group_value(row[a], a in references) for a in group_aliases}}
               if group_aliases else {}),
            **{names[a]: to_json(row[a]) for a in names},
        }
        for row in results
    ]


def _group_value(value: Any, reference: bool) -> Any:
    return str(value) if reference and value is not None else to_json(value)


def _require_expression(entry: dict, index: int) -> str:
    expression = entry.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        raise exceptions.InvalidComputationEntry(f"{entry.get('type')} needs an expression.", details={"index": index})
    return expression


# Search -------------------------------------------------------------------------------

def search_text(resource: Resource, raw_query: Any, text: Any, user: Any, *, return_count_info: Any = False) -> Any:
    """PostgreSQL full-text search over ``searchable_fields`` (ranked); elsewhere every word
    must occur (case-insensitively) in one of them, in id order."""
    if not resource.searchable_fields:
        raise exceptions.NotSearchableModel(details={"model": resource.name})
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("text is required.", details={"field": "text"})
    query = parse_query(raw_query)
    qs, lookups = _read(resource, query, user)
    fields = [resource.field(name).name for name in resource.searchable_fields]
    if connections[resource.database].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields)
        search = SearchQuery(text, search_type="websearch")
        qs = qs.annotate(_document=vector, _rank=SearchRank(vector, search))
        qs = qs.filter(_document=search).order_by("-_rank", "pk")
    else:
        for word in text.split():
            condition = models.Q()
            for name in fields:
                condition |= models.Q(**{f"{name}__icontains": word})
            qs = qs.filter(condition)
        qs = qs.order_by("pk")
    return _listing(resource, qs, lookups, query, user, return_count_info)


def fuzzy_search(resource: Resource, raw_query: Any, field_name: Any, text: Any, user: Any) -> list[dict[str, Any]]:
    """PostgreSQL trigram similarity (``pg_trgm``) on one field, best first; elsewhere a
    case-insensitive substring match."""
    if not isinstance(text, str) or not text:
        raise ValidationFailed("text is required.", details={"field": "text"})
    orm_path, model_field = resolve_path(resource, field_name)
    if not isinstance(model_field, (models.CharField, models.TextField)):
        raise exceptions.InvalidField("Fuzzy search needs a text field.", details={"field": str(field_name)})
    query = parse_query(raw_query)
    qs, lookups = _read(resource, query, user)
    if connections[resource.database].vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        qs = qs.annotate(_similarity=TrigramSimilarity(orm_path, text)).filter(_similarity__gt=0.1)
        qs = qs.order_by("-_similarity", "pk")
    else:
        qs = qs.filter(**{f"{orm_path}__icontains": text}).order_by("pk")
    offset, limit = page_bounds(query)
    return _page(resource, qs[offset:offset + limit], lookups, query, user)


def stats(user: Any, *, database: str = "default") -> dict[str, Any]:
    """``{"database", "vendor", "models": [{"name", "count"}]}`` for the models the caller
    may read."""
    from agnost_django.data.registry import site

    rows = []
    for name in site.names():
        resource = site.get(name)
        if resource.database != database:
            continue
        try:
            rows.append({"name": name, "count": count_matches(queryset(resource, "read", user))})
        except Exception as exc:  # noqa: BLE001 - a model the caller may not read is skipped
            from agnost_django.core.exceptions import AgnostAPIError

            if not isinstance(exc, AgnostAPIError):
                raise
    return {"database": database, "vendor": connections[database].vendor, "models": rows}

