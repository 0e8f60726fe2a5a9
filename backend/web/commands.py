"""Run a domain command from a page and turn its domain error into a message for the user.

Views hold no business logic: they call one service (``backend.*.services``, a workflow
transition, …) through ``run_command``. A refusal becomes a French (or English) message shown
on the next page, and the HTTP status the API would have used, so tests and htmx can tell."""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError

from backend.core.errors import refusal_of as domain_refusal


def refusal_of(exc: Exception) -> tuple[int, list[str]] | None:
    """(status, messages) for a domain error (the table of ``backend.core.errors``); None for
    anything else (a real bug: re-raised)."""
    refusal = domain_refusal(exc)
    return None if refusal is None else (refusal.status, refusal.messages)


def run_command(request, command, *args, success: str = "", **kwargs):
    """Call ``command(*args, **kwargs)``; return ``(result, status)``.

    On success the optional ``success`` message is queued and the status is 200; on a domain
    error each reason is queued as an error message and the result is None."""
    try:
        result = command(*args, **kwargs)
    except Exception as exc:  # re-raised below unless it is a domain error
        refusal = refusal_of(exc)
        if refusal is None:
            raise
        status, reasons = refusal
        for reason in reasons:
            messages.error(request, reason)
        return None, status
    if success:
        messages.success(request, success)
    return result, 200


def refuse_form(request, form) -> int:
    """The errors of a button's form (a comment too long…) as messages for the next page, as
    a refusal of the service would be; the status the API would answer (400)."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label} : " if field is not None and field.label else ""
        for error in errors:
            messages.error(request, f"{label}{error}")
    return 400


def run_form_command(request, form, command, *args, success: str = "", **kwargs):
    """``run_command``, except that a ValidationError of the service lands on the form's
    fields (next to what the user typed) instead of a message. Returns ``(result, status)``."""
    invalid = object()

    def attempt():
        try:
            return command(*args, **kwargs)
        except DjangoValidationError as exc:
            form.add_error(None, exc)
            return invalid

    result, status = run_command(request, attempt)
    if result is invalid:
        return None, 400
    if result is not None and success:
        messages.success(request, success)
    return result, status
