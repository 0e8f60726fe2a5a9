"""One domain error, one HTTP status: the table the API (``backend.api.errors``) and the pages
(``backend.web.commands``) both read.

A service refuses with a domain error (``workflows.errors``, Django's ``PermissionDenied`` or
``ValidationError``, a lost race); ``refusal_of`` says which status it is and why, field by
field. Anything else is a bug, and is left to raise."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.utils.translation import gettext_lazy as _

from backend.core.versions import StaleVersion
from workflows.concurrency import LOST_RACE, lost_to_concurrency
from workflows.errors import (
    InvalidTransitionInput,
    TransitionConflict,
    TransitionForbidden,
    UnknownTransition,
)

NON_FIELD = "non_field_errors"
FORBIDDEN = _("Action non autorisée.")
CONCURRENT_CHANGE = _("Une modification concurrente a eu lieu ; rechargez et réessayez.")
UNSTORABLE = _("Une valeur envoyée ne peut pas être enregistrée.")


@dataclass(frozen=True)
class Refusal:
    status: int
    errors: dict[str, list[str]]  # field -> reasons (``NON_FIELD``: not one field's)
    code: str = ""  # the stable code of the API's error body (``CODES`` by status if empty)

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]

    @property
    def message(self) -> str:
        return " ".join(self.messages)


# The stable ``code`` of the API's error body, by status (a refusal may be more precise).
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def _one(status: int, reason, field: str | None = None, code: str = "") -> Refusal:
    return Refusal(status, {field or NON_FIELD: [str(reason)]}, code or CODES[status])


def refusal_of(exc: Exception) -> Refusal | None:
    """The status and the reasons of a domain error; None for anything else."""
    if isinstance(exc, UnknownTransition):
        return _one(404, exc.reason)
    if isinstance(exc, TransitionForbidden):
        return _one(403, exc.reason or FORBIDDEN)
    if isinstance(exc, PermissionDenied):
        return _one(403, str(exc) or FORBIDDEN)
    if isinstance(exc, TransitionConflict):
        return _one(409, exc.reason)
    if isinstance(exc, StaleVersion):  # a stale If-Match, or a page's form opened before
        return _one(412, exc.reason)
    if isinstance(exc, InvalidTransitionInput):
        return _one(400, exc.reason, exc.field)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
            }
            return Refusal(400, errors, CODES[400])
        return Refusal(400, {NON_FIELD: [str(m) for m in exc.messages]}, CODES[400])
    if isinstance(exc, DataError):  # a value the database cannot hold (out of range…)
        return _one(400, UNSTORABLE)
    if isinstance(exc, IntegrityError):
        return _one(409, CONCURRENT_CHANGE, code="concurrent_change")
    if isinstance(exc, OperationalError) and lost_to_concurrency(exc):
        # a deadlock or a busy database, even after one retry
        return _one(409, LOST_RACE, code="concurrent_change")
    return None
