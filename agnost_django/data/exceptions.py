"""Error codes and exceptions of the data module (Agnost's spellings)."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError, InvalidField  # noqa: F401 (core's, one class per code)


class DataErrorCode(str, Enum):
    MODEL_NOT_FOUND = "model_not_found"
    SUBMODEL_NOT_FOUND = "submodel_not_found"
    DATABASE_NOT_FOUND = "database_not_found"
    INVALID_ID_VALUE = "invalid_id_value"
    INVALID_FIELD = "invalid_field"
    INVALID_JOIN_OR_LOOKUP = "invalid_join_or_lookup"
    INVALID_UPDATE_INSTRUCTION = "invalid_update_instruction"
    INVALID_GROUPING = "invalid_grouping"
    INVALID_COMPUTATIONS = "invalid_computations"
    INVALID_COMPUTATION_ENTRY = "invalid_computation_entry"
    NOT_SEARCHABLE_MODEL = "not_searchable_model"
    OBJECT_NOT_FOUND = "object_not_found"
    ACCESS_DENIED = "access_denied"
    VALIDATION_ERRORS = "validation_errors"


class ModelNotFound(AgnostAPIError):
    """No exposed model has this name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = DataErrorCode.MODEL_NOT_FOUND.value
    default_detail = _("No such model.")


class SubmodelNotFound(AgnostAPIError):
    """The model exposes no sub-model by this name (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = DataErrorCode.SUBMODEL_NOT_FOUND.value
    default_detail = _("No such sub-model.")


class DatabaseNotFound(AgnostAPIError):
    """The DATABASES alias does not exist (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = DataErrorCode.DATABASE_NOT_FOUND.value
    default_detail = _("No such database.")


class InvalidIdValue(AgnostAPIError):
    """An id that is not a valid primary key of the model (400)."""

    default_code = DataErrorCode.INVALID_ID_VALUE.value
    default_detail = _("The id is not valid.")


class InvalidLookup(AgnostAPIError):
    """A lookup that does not name a reference field of the model (400)."""

    default_code = DataErrorCode.INVALID_JOIN_OR_LOOKUP.value
    default_detail = _("The lookup is not valid.")


class InvalidUpdateInstruction(AgnostAPIError):
    """A field update instruction of an unknown type or for an unsuitable field (400)."""

    default_code = DataErrorCode.INVALID_UPDATE_INSTRUCTION.value
    default_detail = _("The update instruction is not valid.")


class InvalidGrouping(AgnostAPIError):
    """A group definition that is neither a list of fields nor an expression (400)."""

    default_code = DataErrorCode.INVALID_GROUPING.value
    default_detail = _("The grouping is not valid.")


class InvalidComputations(AgnostAPIError):
    """Computations that are not a non-empty list of entries (400)."""

    default_code = DataErrorCode.INVALID_COMPUTATIONS.value
    default_detail = _("The computations are not valid.")


class InvalidComputationEntry(AgnostAPIError):
    """One computation entry with a bad name, type, expression or sort (400)."""

    default_code = DataErrorCode.INVALID_COMPUTATION_ENTRY.value
    default_detail = _("A computation entry is not valid.")


class NotSearchableModel(AgnostAPIError):
    """Text search on a model without searchable fields (400)."""

    default_code = DataErrorCode.NOT_SEARCHABLE_MODEL.value
    default_detail = _("This model has no searchable fields.")


class AccessDenied(AgnostAPIError):
    """The model's access rule refuses this operation to this caller (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = DataErrorCode.ACCESS_DENIED.value
    default_detail = _("You may not do this on this model.")
