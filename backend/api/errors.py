"""One domain error, one HTTP status. Clients never see a 500 for what they sent."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from backend.accounts.signin import SignInLockedOut
from backend.core.errors import refusal_of


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Conflit avec l'état actuel.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Le corps de la requête est trop volumineux.")
    default_code = "request_too_large"


API_EXCEPTIONS = {
    status.HTTP_403_FORBIDDEN: exceptions.PermissionDenied,
    status.HTTP_404_NOT_FOUND: exceptions.NotFound,
    status.HTTP_409_CONFLICT: Conflict,
}


def _as_api_exception(exc):
    if isinstance(exc, SignInLockedOut):
        return exceptions.Throttled(detail=str(exc.message))
    refusal = refusal_of(exc)  # the one table of domain errors (backend.core.errors)
    if refusal is not None:
        if refusal.status == status.HTTP_400_BAD_REQUEST:
            return exceptions.ValidationError(refusal.errors)
        return API_EXCEPTIONS[refusal.status](refusal.message)
    if isinstance(exc, RequestDataTooBig):  # more than DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):  # too many form fields or files…
        return exceptions.ParseError(_("Le corps de la requête ne peut pas être lu."))
    return exc


def exception_handler(exc, context):
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is None:
        return None
    if response.status_code == status.HTTP_409_CONFLICT:
        response.data.setdefault("code", "conflict")
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if isinstance(detail, exceptions.ErrorDetail):
        response.data.setdefault("code", detail.code)
    return response


def page_not_found(request, exception):
    """Django's 404 (``handler404``): a URL that matches no route. Under ``/api/`` the answer
    is the API's error body in JSON (an id that is not a number, an unknown export format…);
    elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
