"""Recording the decisions of a held session, all or nothing (``record_decisions``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from backend.api import scoping
from backend.board import decisions as board_decisions
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.models import BoardSession, Outcome
from backend.web.access import staff_required
from backend.web.commands import refusal_of
from backend.web.forms.commands import DecisionForm
from backend.web.forms.fields import first_errors
from backend.web.pages.board.sessions import (
    back_to_session,
    points_of,
    render_detail,
    session_or_404,
)

FIELD_OF = {"action": "outcome", "project": "outcome", "item": "outcome"}


def _read_decisions(request, points):
    """The rows the secretary filled in (their valid values: a refused one is blank), what
    was typed (to show again) and the form's own errors (per agenda item id)."""
    values, errors, rows = {}, {}, []
    for point in points:
        if point.decision is not None:
            continue
        form = DecisionForm(request.POST, prefix=point.prefix)
        values[point.item.pk] = form.typed()
        if form.blank:
            continue  # no decision on this point now
        if not form.is_valid():
            errors[point.item.pk] = first_errors(form)
        clean = {name: form.cleaned_data.get(name) or "" for name in form.fields}
        rows.append((point, clean))
    return values, errors, rows


def _service_errors(exc: ValidationError, rows) -> dict:
    """record_decisions' errors (``field`` for one row, ``decisions[i].field`` for several)
    put back on the agenda item and the form field they concern."""
    errors: dict[int, dict] = {}
    for key, messages_ in exc.message_dict.items():
        index, field = 0, key
        if key.startswith("decisions["):
            index = int(key[len("decisions[") : key.index("]")])
            field = key.split(".", 1)[1]
        point = rows[index][0]
        errors.setdefault(point.item.pk, {})[FIELD_OF.get(field, field)] = " ".join(messages_)
    return errors


def _inputs(rows) -> list[DecisionInput]:
    return [
        DecisionInput(
            outcome=value["outcome"],
            reference=value["reference"],
            conditions=value["conditions"],
            action=point.item.action if point.is_action else None,
            project=None if point.is_action else point.item.project,
        )
        for point, value in rows
    ]


def _dry_run(session, rows) -> dict:
    """When the form itself has errors, the service's own checks (reference used, conditions
    or reason missing…) still run on the other fields, so that every error shows at once."""
    checkable = [(p, v) for p, v in rows if v["outcome"] in Outcome.values]
    inputs = _inputs(checkable)
    for index, item in enumerate(inputs):
        # a missing reference is reported by the form; this one (too long) cannot exist
        item.reference = item.reference or f"{'-' * 33}{index}"
    try:
        board_decisions._check(session, inputs)
    except ValidationError as exc:
        return _service_errors(exc, checkable)
    return {}


@staff_required
@require_POST
def record(request, pk: int):
    """Record the decisions of a held session, all or nothing (``record_decisions``)."""
    session = session_or_404(pk)
    user = request.user
    session_with_decisions = BoardSession.objects.prefetch_related(
        Prefetch("decisions", queryset=scoping.decisions_for(user))
    ).get(pk=session.pk)
    points = points_of(session_with_decisions, user)
    values, errors, rows = _read_decisions(request, points)
    if not rows:
        return render_detail(
            request,
            session,
            status=400,
            values=values,
            summary=[_t("Indiquez au moins une décision.")],
        )
    if errors:
        for item_id, problems in _dry_run(session, rows).items():
            for field, message in problems.items():
                errors.setdefault(item_id, {}).setdefault(field, message)
        return _invalid(request, session, values, errors)
    try:
        decisions = record_decisions(session, _inputs(rows), user=user)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return render_detail(request, session, status=400, values=values, summary=exc.messages)
        return _invalid(request, session, values, _service_errors(exc, rows))
    except Exception as exc:  # a domain refusal (session not held, not allowed…)
        refusal = refusal_of(exc)
        if refusal is None:
            raise
        status, reasons = refusal
        for reason in reasons:
            messages.error(request, reason)
        return back_to_session(session, status)
    messages.success(
        request, _t("%(count)d décision(s) enregistrée(s).") % {"count": len(decisions)}
    )
    return back_to_session(session, 200)


def _invalid(request, session, values, errors):
    summary = [_t("Aucune décision n'est enregistrée : corrigez les erreurs signalées.")]
    return render_detail(
        request, session, status=400, values=values, errors=errors, summary=summary
    )
