"""System checks of the data module (ids ``agnost_data.E###``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.models)
def check_resources(app_configs=None, **kwargs):
    from agnost_django.data.registry import site
    from agnost_django.data.resources import OPERATIONS, RULE_NAMES

    errors = []
    for name in site.names():
        resource = site.get(name)
        label = f"{type(resource).__name__} ({name})"
        model_fields = {f.name for f in resource.model._meta.get_fields()}
        for attribute in ("fields", "read_only_fields", "hidden_fields", "searchable_fields"):
            unknown = set(getattr(resource, attribute) or ()) - model_fields
            if unknown:
                errors.append(Error(f"{label}.{attribute} names unknown fields: {', '.join(sorted(unknown))}.",
                                    id="agnost_data.E001"))
        if resource.owner_field and resource.owner_field not in model_fields:
            errors.append(Error(f"{label}.owner_field {resource.owner_field!r} is not a field.", id="agnost_data.E001"))
        for operation, rule in resource.rules.items():
            if operation not in OPERATIONS or not (rule in RULE_NAMES or callable(rule)):
                errors.append(Error(f"{label}.rules[{operation!r}] = {rule!r} is not a rule.",
                                    hint=f"Operations: {', '.join(OPERATIONS)}; rules: {', '.join(RULE_NAMES)} or a callable.",
                                    id="agnost_data.E002"))
            if rule == "owner" and not resource.owner_field:
                errors.append(Error(f"{label} uses the owner rule without an owner_field.", id="agnost_data.E002"))
        if resource.database not in settings.DATABASES:
            errors.append(Error(f"{label}.database {resource.database!r} is not in DATABASES.", id="agnost_data.E003"))
        for sub, accessor in resource.sub_models.items():
            try:
                relation = resource.model._meta.get_field(accessor)
            except Exception:
                relation = None
            if relation is None or not relation.auto_created or site.for_model(relation.related_model) is None:
                errors.append(Error(f"{label}.sub_models[{sub!r}]: {accessor!r} is not a reverse relation to an exposed model.",
                                    id="agnost_data.E004"))
    return errors
