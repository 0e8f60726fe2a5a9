"""The evaluation page of an approved action: the plan (indicators, due date), editing it
while it may change, the report form (all or nothing), and the territory manager's validation,
after which the action may be closed.

The same services as the API (``backend.api.evaluation_views``): ``update_plan`` for the plan,
``submit_report`` for the report, ``validate_evaluation`` for the validation.
The forms (``backend.web.forms.evaluations``) read numbers the French way (« 12,5 »,
« 1 250 »), as the pilot partner's report page does, whose report form this page shares (with
the summary that staff write).
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.actions.models import ActionState
from backend.core.limits import TEXT_LIMIT
from backend.evaluations.models import Evaluation, EvaluationState
from backend.evaluations.reports import submit_report, update_plan
from backend.evaluations.transitions import validate_evaluation
from backend.web.access import staff_required
from backend.web.commands import run_command
from backend.web.forms import versions
from backend.web.forms.evaluations import (
    PlanForm,
    ReportForm,
    plan_changes,
    plan_version_fields,
)
from workflows.engine import explain, transition_label

PLAN_EDITORS = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)
OPEN_PLAN = (EvaluationState.PLANNED, EvaluationState.DUE)
BLANK_PLAN_ROWS = 2
REPORT_LABELS = {
    "participants": gettext_lazy("Nombre de participants"),
    "residents_involved": gettext_lazy("Implication des habitants"),
    "summary": gettext_lazy("Bilan"),
    "what_worked": gettext_lazy("Ce qui a bien fonctionné"),
    "what_to_change": gettext_lazy("Ce qu'il faudrait changer"),
}


def _evaluation(request, pk) -> Evaluation:
    """The evaluation if its action is in the user's territories (404 otherwise)."""
    rows = (
        Evaluation.objects.filter(action__in=scoping.actions_for(request.user).values("pk"))
        .select_related(
            "action__project__territory",
            "action__commune",
            "reporting_role__organisation",
            "reporting_role__contact",
            "reporting_staff",
        )
        .prefetch_related("indicators")
    )
    return get_object_or_404(rows, pk=pk)


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _detail_url(evaluation, anchor: str = "") -> str:
    return reverse("web:evaluation_detail", args=[evaluation.pk]) + anchor


def plan_refusal(evaluation, user) -> str:
    """Why the user may not change the plan now ('' when they may): the rule of
    ``update_plan``, told before the user fills the form."""
    if not user.has_role(*PLAN_EDITORS) or not user.works_in(evaluation.workflow_territory_id):
        return _("Seuls les agents du territoire modifient le plan d'évaluation.")
    if evaluation.state not in OPEN_PLAN:
        return _("Le rapport est remis : le plan ne change plus.")
    return ""


# --- the page ----------------------------------------------------------------------------------


def _report_rows(indicators, values=None, errors=None):
    raw = (values or {}).get("raw_results", {})
    errors = errors or {}
    return [
        {
            "indicator": indicator,
            "field": f"result-{indicator.pk}",
            "value": raw.get(indicator.pk, ""),
            "error": errors.get(f"result-{indicator.pk}"),
        }
        for indicator in indicators
    ]


def _context(evaluation, user, *, values=None, errors=None) -> dict:
    action = evaluation.action
    indicators = list(evaluation.indicators.all())
    errors = errors or {}
    rows = _report_rows(indicators, values, errors)
    validate = explain(evaluation, "validate", user)
    context = {
        "title": _("Évaluation : %(action)s") % {"action": action.title},
        "nav": "projects",
        "evaluation": evaluation,
        "action": action,
        "project": action.project,
        "indicators": indicators,
        "today": timezone.localdate(),
        "report": explain(evaluation, "submit_report", user),
        "rows": rows,
        "values": values or {},
        "errors": errors,
        "field_errors": [(row["field"], row["indicator"].label, row["error"]) for row in rows]
        + [(name, label, errors.get(name)) for name, label in REPORT_LABELS.items()],
        "text_max_length": TEXT_LIMIT,
        "plan_refusal": plan_refusal(evaluation, user),
        "transitions": [
            {
                "name": "validate",
                "label": capfirst(transition_label(Evaluation, "validate")),
                "allowed": validate.allowed,
                "reason": validate.reason,
                "url": reverse("web:evaluation_validate", args=[evaluation.pk]),
            }
        ],
    }
    context["field_errors"] = [entry for entry in context["field_errors"] if entry[2]]
    if evaluation.state == EvaluationState.VALIDATED:
        context["close"] = explain(action, "close", user)
    return context


@staff_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk)
    return render(request, "web/evaluations/detail.html", _context(evaluation, request.user))


# --- the report --------------------------------------------------------------------------------


@staff_required
@require_POST
def evaluation_report(request, pk):
    evaluation = _evaluation(request, pk)
    allowed = explain(evaluation, "submit_report", request.user)
    if not allowed.allowed:  # say why, rather than point at fields the user cannot send
        messages.error(request, allowed.reason)
        return _see_other(_detail_url(evaluation, "#rapport"))
    indicators = list(evaluation.indicators.all())
    values, report, errors = ReportForm(request.POST, indicators=indicators, staff=True).read()
    if errors:
        context = _context(evaluation, request.user, values=values, errors=errors)
        return render(request, "web/evaluations/detail.html", context, status=400)
    results = [{"indicator": i.pk, "result": values["results"][i.pk]} for i in indicators]
    _result, status = run_command(
        request,
        submit_report,
        evaluation,
        actor=request.user,
        results=results,
        success=_("Le rapport d'évaluation est remis."),
        **report,
    )
    if status == 400:  # the plan changed since the page was shown: show the form again
        evaluation = _evaluation(request, pk)
        context = _context(evaluation, request.user, values=values)
        return render(request, "web/evaluations/detail.html", context, status=400)
    return _see_other(_detail_url(evaluation, "#rapport" if status == 200 else ""))


# --- validation --------------------------------------------------------------------------------


@staff_required
@require_POST
def evaluation_validate(request, pk):
    evaluation = _evaluation(request, pk)
    validated, _status = run_command(request, validate_evaluation, evaluation, actor=request.user)
    if validated is not None:
        messages.success(request, _validated_message(validated.action))
    return _see_other(_detail_url(evaluation, "#validation"))


def _validated_message(action) -> str:
    """What the validation lets the person do next, by where the action stands."""
    if action.state == ActionState.EVALUATION:
        return _("Le rapport d'évaluation est validé : l'action peut être clôturée.")
    return _(
        "Le rapport d'évaluation est validé. L'action est encore « %(state)s » : elle pourra "
        "être clôturée une fois passée en évaluation."
    ) % {"state": action.get_state_display()}


# --- the plan ----------------------------------------------------------------------------------


def _plan_rows(indicators, blank: int) -> list[dict]:
    rows = [
        {
            "label": indicator.label,
            "baseline": _number(indicator.baseline),
            "target": _number(indicator.target),
            "unit": indicator.unit,
        }
        for indicator in indicators
    ]
    return rows + [{"label": "", "baseline": "", "target": "", "unit": ""}] * blank


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")  # 12.50 -> « 12,5 »


def _plan_page(
    request,
    evaluation,
    *,
    rows,
    due_date,
    errors=None,
    refusal="",
    status=200,
    stale="",
    version_fields=None,
):
    errors = errors or {}
    numbered = []
    for index, row in enumerate(rows):
        prefix = f"indicator-{index}-"
        numbered.append(
            {
                **row,
                "number": index + 1,
                "prefix": prefix,
                "errors": {
                    name: errors.get(prefix + name)
                    for name in ("label", "baseline", "target", "unit")
                },
            }
        )
    summary = [("due_date", _("Échéance"), errors["due_date"])] if "due_date" in errors else []
    for row in numbered:
        for name, message in row["errors"].items():
            if message:
                summary.append(
                    (
                        row["prefix"] + name,
                        _("Indicateur %(number)s") % {"number": row["number"]},
                        message,
                    )
                )
    context = {
        "title": _("Plan d'évaluation : %(action)s") % {"action": evaluation.action.title},
        "nav": "projects",
        "evaluation": evaluation,
        "action": evaluation.action,
        "project": evaluation.action.project,
        "rows": numbered,
        "due_date": due_date,
        "errors": errors,
        "field_errors": summary,
        "refusal": refusal,
        "stale": stale,  # saved by someone else meanwhile: what changed
        "version_fields": version_fields or versions.sent_fields(request.POST),
    }
    return render(request, "web/evaluations/plan.html", context, status=status)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_plan(request, pk):
    evaluation = _evaluation(request, pk)
    refusal = plan_refusal(evaluation, request.user)
    indicators = list(evaluation.indicators.all())
    if request.method != "POST" or refusal:
        if request.method == "POST":
            messages.error(request, refusal)
            return _see_other(_detail_url(evaluation, "#plan"))
        return _plan_page(
            request,
            evaluation,
            rows=_plan_rows(indicators, BLANK_PLAN_ROWS),
            due_date=evaluation.due_date.strftime("%d/%m/%Y"),
            refusal=refusal,
            version_fields=plan_version_fields(evaluation),  # the version opened
        )
    plan, errors = PlanForm(request.POST).read()
    if errors:
        return _plan_page(
            request,
            evaluation,
            rows=plan["rows"],
            due_date=plan["due_date_raw"],
            errors=errors,
            status=400,
        )
    _result, status = run_command(
        request,
        update_plan,
        evaluation,
        user=request.user,
        due_date=plan["due_date"],
        indicators=plan["indicators"],
        expected_versions=versions.sent_versions(request.POST),
        success=_("Le plan d'évaluation est enregistré."),
    )
    if status == 412:  # saved by someone else meanwhile: what changed, typing kept
        evaluation = _evaluation(request, pk)
        return _plan_page(
            request,
            evaluation,
            rows=plan["rows"],
            due_date=plan["due_date_raw"],
            stale=plan_changes(request.POST, evaluation),
            version_fields=plan_version_fields(evaluation),
            status=412,
        )
    if status == 400:
        return _plan_page(
            request, evaluation, rows=plan["rows"], due_date=plan["due_date_raw"], status=400
        )
    return _see_other(_detail_url(evaluation, "#plan"))


urlpatterns = [
    path("evaluations/<int:pk>/", evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/plan/", evaluation_plan, name="evaluation_plan"),
    path("evaluations/<int:pk>/rapport/", evaluation_report, name="evaluation_report"),
    path(
        "evaluations/<int:pk>/transitions/valider/",
        evaluation_validate,
        name="evaluation_validate",
    ),
]
