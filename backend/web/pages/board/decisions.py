"""Recording the decisions of a held session, all or nothing (``record_decisions``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backend.accounts import scoping
from backend.board.decisions import record_decisions
from backend.board.models import BoardSession
from backend.web.access import staff_required
from backend.web.commands import refusal_of
from backend.web.forms.board import FIELD_OF, DecisionFormSet
from backend.web.forms.fields import first_errors
from backend.web.pages.board.sessions import (
    back_to_session,
    points_of,
    render_detail,
    session_or_404,
)


def _service_errors(exc: ValidationError, rows) -> dict:
    """record_decisions' errors (``field`` for one row, ``decisions[i].field`` for several)
    put back on the agenda item and the form field they concern: what another secretary
    recorded meanwhile (a reference used since the form was checked)."""
    errors: dict[int, dict] = {}
    for key, messages_ in exc.message_dict.items():
        index, field = 0, key
        if key.startswith("decisions["):
            index = int(key[len("decisions[") : key.index("]")])
            field = key.split(".", 1)[1]
        point = rows[index][0]
        errors.setdefault(point.item.pk, {})[FIELD_OF.get(field, field)] = " ".join(messages_)
    return errors


@staff_required
@require_POST
def record(request, pk: int):
    """Record the decisions of a held session, all or nothing (``record_decisions``)."""
    session = session_or_404(pk)
    user = request.user
    session_with_decisions = BoardSession.objects.prefetch_related(
        Prefetch("decisions", queryset=scoping.decisions_for(user))
    ).get(pk=session.pk)
    undecided = [p for p in points_of(session_with_decisions, user) if p.decision is None]
    formset = DecisionFormSet(request.POST, session=session, points=undecided)
    values = {
        point.item.pk: form.typed() for point, form in zip(undecided, formset.forms, strict=True)
    }
    rows = formset.filled()
    if not rows:
        return render_detail(
            request,
            session,
            status=400,
            values=values,
            summary=[_t("Indiquez au moins une décision.")],
        )
    if not formset.is_valid():
        errors = {
            point.item.pk: first_errors(form)
            for point, form in zip(undecided, formset.forms, strict=True)
            if form.errors
        }
        return _invalid(request, session, values, errors)
    try:
        decisions = record_decisions(session, formset.decisions(), user=user)
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
    count = len(decisions)
    messages.success(
        request,
        ngettext("%(count)d décision enregistrée.", "%(count)d décisions enregistrées.", count)
        % {"count": count},
    )
    return back_to_session(session, 200)


def _invalid(request, session, values, errors):
    summary = [_t("Aucune décision n'est enregistrée : corrigez les erreurs signalées.")]
    return render_detail(
        request, session, status=400, values=values, errors=errors, summary=summary
    )
