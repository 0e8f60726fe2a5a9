"""One domain error, one HTTP status, in one table (``backend.core.errors``): the API's error
handler and the pages' ``run_command`` answer every domain error with the same status and the
same reasons."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.test import RequestFactory
from rest_framework.views import APIView

from backend.api.errors import exception_handler
from backend.web.commands import run_command
from workflows.errors import (
    InvalidTransitionInput,
    TransitionConflict,
    TransitionForbidden,
    UnknownTransition,
)

BODY = ("detail", "code")  # every error body's; a 400's bad fields stand beside them


class Deadlock(Exception):
    sqlstate = "40P01"


def lost_race():
    try:
        raise OperationalError("deadlock detected") from Deadlock()
    except OperationalError as exc:
        return exc


DOMAIN_ERRORS = [
    (UnknownTransition("Transition inconnue : « envoler »."), 404),
    (TransitionForbidden("Réservé au secrétariat du conseil."), 403),
    (PermissionDenied("Seul un travailleur social du territoire peut modifier l'action."), 403),
    (TransitionConflict("Impossible depuis l'état « brouillon »."), 409),
    (InvalidTransitionInput("Indiquez la séance.", field="board_session"), 400),
    (ValidationError({"reference": ["Ce numéro de délibération est déjà utilisé."]}), 400),
    (ValidationError("La date doit être dans les dix ans."), 400),
    (DataError("value out of range"), 400),
    (IntegrityError("duplicate key"), 409),
    (lost_race(), 409),
]


def page_answer(exc):
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    def command():
        raise exc

    _result, status = run_command(request, command)
    return status, [str(message) for message in get_messages(request)]


def api_answer(exc):
    request = RequestFactory().post("/api/v1/")
    response = exception_handler(exc, {"view": APIView(), "request": request})
    data = response.data
    assert data["detail"] and data["code"]  # the one error body (API.md)
    fields = {field: messages for field, messages in data.items() if field not in BODY}
    reasons = [str(m) for messages in fields.values() for m in messages] or [data["detail"]]
    return response.status_code, reasons


@pytest.mark.parametrize("exc, status", DOMAIN_ERRORS, ids=lambda value: type(value).__name__)
def test_the_pages_and_the_api_answer_a_domain_error_alike(exc, status):
    page_status, page_reasons = page_answer(exc)
    api_status, api_reasons = api_answer(exc)

    assert page_status == api_status == status
    assert page_reasons == api_reasons
