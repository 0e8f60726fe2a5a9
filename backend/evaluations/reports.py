"""Editing an evaluation plan and submitting its report (all or nothing)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole
from backend.core.versions import check_version
from backend.evaluations.models import Evaluation, EvaluationState, Indicator
from notifications.planning.notices import cancel_evaluation_reminders, evaluation_due_date_moved
from workflows.errors import TransitionConflict
from workflows.services import perform_transition

REPORT_FIELDS = ("participants", "residents_involved", "summary", "what_worked", "what_to_change")


def _lock(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update()
        .select_related("action__project")
        .get(pk=evaluation.pk)
    )


@transaction.atomic
def update_plan(
    evaluation: Evaluation, *, user, due_date=None, indicators=None, expected_versions=None
) -> Evaluation:
    evaluation = _lock(evaluation)
    if not user.has_role(StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER) or not user.works_in(
        evaluation.workflow_territory_id
    ):
        raise PermissionDenied(_("Seuls les agents du territoire modifient le plan d'évaluation."))
    if evaluation.state not in (EvaluationState.PLANNED, EvaluationState.DUE):
        raise TransitionConflict(_("Le rapport est remis : le plan ne change plus."))
    check_version(evaluation, expected_versions)
    if due_date is not None and due_date != evaluation.due_date:
        evaluation.due_date = due_date
        evaluation.save(update_fields=["due_date"])
        evaluation_due_date_moved(evaluation)
    if indicators is not None:
        evaluation.indicators.all().delete()
        Indicator.objects.bulk_create(
            Indicator(evaluation=evaluation, position=position, **indicator)
            for position, indicator in enumerate(indicators, start=1)
        )
    return evaluation


def _results(evaluation: Evaluation, results: list[dict]) -> dict[int, Decimal]:
    """Every indicator needs one numeric result."""
    expected = {indicator.pk: indicator.label for indicator in evaluation.indicators.all()}
    given: dict[int, Decimal] = {}
    errors = []
    for row in results:
        try:
            indicator_id = int(row.get("indicator"))
        except (TypeError, ValueError):
            errors.append(_("Chaque résultat nomme son indicateur."))
            continue
        if indicator_id not in expected:
            errors.append(_("Indicateur inconnu : %(id)s.") % {"id": indicator_id})
            continue
        try:
            value = Decimal(str(row.get("result")))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(
                _("Le résultat de « %(label)s » doit être un nombre.")
                % {"label": expected[indicator_id]}
            )
            continue
        given[indicator_id] = value
    missing = [label for pk, label in expected.items() if pk not in given]
    if missing:
        errors.append(_("Résultat manquant pour : %(labels)s.") % {"labels": ", ".join(missing)})
    if errors:
        raise ValidationError({"results": errors})
    return given


@transaction.atomic
def submit_report(
    evaluation: Evaluation, *, actor, results: list[dict], actor_display: str = "", **report
) -> Evaluation:
    """``actor``: a staff user, or None for the pilot partner's personal link (then
    ``actor_display`` names the partner in the history)."""
    evaluation = _lock(evaluation)
    if evaluation.report_submitted:
        raise TransitionConflict(_("Le rapport de cette évaluation est déjà remis."))
    values = _results(evaluation, results)
    for indicator in evaluation.indicators.all():
        indicator.result = values[indicator.pk]
        indicator.save(update_fields=["result"])
    for name in REPORT_FIELDS:
        if name in report:
            setattr(evaluation, name, report[name])
    evaluation.save()
    evaluation = perform_transition(
        evaluation,
        "submit_report",
        actor=actor,
        automatic=actor is None,
        actor_display=actor_display,
    )
    cancel_evaluation_reminders(evaluation)
    return evaluation
