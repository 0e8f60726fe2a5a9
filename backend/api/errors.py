"""One error body for the whole API: ``{"detail", "code"}``, plus the bad fields for a 400,
in the caller's language (``Accept-Language``). Clients never see a 500 for what they sent.

Domain errors get their status from the one table (``backend.core.errors``); DRF's and
Django's own refusals (an unknown id, a method not allowed, a body that is not JSON…) are
reshaped here, so that no answer names a model or speaks English to a French caller."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from backend.accounts.signin import SignInLockedOut
from backend.core.errors import CODES, NON_FIELD, refusal_of


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Conflit avec l'état actuel.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("La ressource a changé depuis votre lecture (If-Match).")
    default_code = "precondition_failed"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Le corps de la requête est trop volumineux.")
    default_code = "request_too_large"


API_EXCEPTIONS = {
    status.HTTP_403_FORBIDDEN: exceptions.PermissionDenied,
    status.HTTP_404_NOT_FOUND: exceptions.NotFound,
    status.HTTP_409_CONFLICT: Conflict,
    status.HTTP_412_PRECONDITION_FAILED: PreconditionFailed,
}

NOT_FOUND = _("Introuvable, ou non visible pour vous.")
INVALID = _("Données invalides : %(fields)s.")


def _as_api_exception(exc):
    if isinstance(exc, SignInLockedOut):
        return exceptions.Throttled(detail=str(exc.message))
    if isinstance(exc, Http404):  # Django's message names the model: "No Action matches…"
        return exceptions.NotFound(NOT_FOUND)
    refusal = refusal_of(exc)  # the one table of domain errors (backend.core.errors)
    if refusal is not None:
        if refusal.status == status.HTTP_400_BAD_REQUEST:
            return exceptions.ValidationError(refusal.errors, code=refusal.code)
        return API_EXCEPTIONS[refusal.status](refusal.message, code=refusal.code)
    if isinstance(exc, RequestDataTooBig):  # more than DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):  # too many form fields or files…
        return exceptions.ParseError(_("Le corps de la requête ne peut pas être lu."))
    return exc


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def invalid_body(errors) -> dict:
    """A 400's body: ``detail`` says what is wrong in a sentence, ``code`` is ``invalid``,
    and each bad field keeps its messages beside them (``non_field_errors`` for the body as
    a whole; ``items`` for a list of bodies, one entry per body)."""
    if isinstance(errors, list):
        if all(isinstance(e, dict) for e in errors):
            fields = {"items": errors}
        else:
            fields = {NON_FIELD: errors}
    else:
        fields = dict(errors)
    general = _messages(fields.get(NON_FIELD, []))
    named = ", ".join(str(name) for name in fields if name != NON_FIELD)
    sentences = general + ([INVALID % {"fields": named}] if named else [])
    return {"detail": " ".join(str(s) for s in sentences), "code": CODES[400], **fields}


def error_body(data, status_code: int) -> dict:
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        detail = data["detail"]
        return {"detail": str(detail), "code": getattr(detail, "code", None) or CODES[status_code]}
    if status_code == status.HTTP_400_BAD_REQUEST:
        return invalid_body(data)
    return {"detail": " ".join(_messages(data)), "code": CODES.get(status_code, "error")}


def exception_handler(exc, context):
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is None:
        return None
    response.data = error_body(response.data, response.status_code)
    return response


def page_not_found(request, exception):
    """Django's 404 (``handler404``): a URL that matches no route. Under ``/api/`` the answer
    is the API's error body in JSON (an id that is not a number, an unknown export format…);
    elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NOT_FOUND), "code": CODES[404]}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 (``handler500``): a bug of ours. Under ``/api/`` still the API's body."""
    if request.path.startswith("/api/"):
        detail = gettext("Erreur interne du serveur ; elle a été signalée.")
        return JsonResponse({"detail": detail, "code": CODES[500]}, status=500)
    return defaults.server_error(request)
