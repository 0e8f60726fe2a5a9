"""One domain error, one HTTP status. Clients never see a 500 for what they sent."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from workflows.errors import (
    InvalidTransitionInput,
    TransitionConflict,
    TransitionForbidden,
    UnknownTransition,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Conflit avec l'état actuel.")
    default_code = "conflict"


def _as_api_exception(exc):
    if isinstance(exc, UnknownTransition):
        return exceptions.NotFound(str(exc.reason))
    if isinstance(exc, TransitionForbidden):
        return exceptions.PermissionDenied(str(exc.reason))
    if isinstance(exc, TransitionConflict):
        return Conflict(str(exc.reason))
    if isinstance(exc, InvalidTransitionInput):
        return exceptions.ValidationError({exc.field or "non_field_errors": [str(exc.reason)]})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            )
        return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})
    if isinstance(exc, IntegrityError):
        return Conflict(_("Une modification concurrente a eu lieu ; rechargez et réessayez."))
    return exc


def exception_handler(exc, context):
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is None:
        return None
    if response.status_code == status.HTTP_409_CONFLICT:
        response.data.setdefault("code", "conflict")
    return response
