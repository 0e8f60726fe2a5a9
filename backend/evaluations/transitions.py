"""One service per transition of an evaluation (the report itself: ``reports``)."""

import datetime

from django.db import transaction
from django.utils import timezone

from backend.actions.models import ActionState
from backend.actions.transitions import evaluate_action
from backend.evaluations.models import Evaluation, EvaluationState
from workflows.services import perform_transition, run_transition


@transaction.atomic
def fall_due(evaluation: Evaluation, *, actor=None, comment: str = "") -> Evaluation:
    """The due date has come: the report is expected, and the action in progress goes to
    evaluation."""
    evaluation = run_transition(
        evaluation, "fall_due", actor=actor, comment=comment, automatic=actor is None
    )
    if evaluation.action.state == ActionState.IN_PROGRESS:
        evaluate_action(evaluation.action, actor=None)
    return evaluation


def validate_evaluation(evaluation: Evaluation, *, actor, comment: str = "") -> Evaluation:
    """The territory manager validates the report: the action may be closed."""
    return perform_transition(evaluation, "validate", actor=actor, comment=comment)


EVALUATION_SERVICES = {"validate": validate_evaluation}  # what staff fire by name


def mark_due(today: datetime.date | None = None) -> int:
    """Plans whose due date has come fall due (the daily task; idempotent)."""
    today = today or timezone.localdate()
    count = 0
    due = Evaluation.objects.filter(state=EvaluationState.PLANNED, due_date__lte=today)
    for evaluation in due.only("pk"):
        with transaction.atomic():
            fresh = (
                Evaluation.objects.select_for_update(skip_locked=True)
                .filter(pk=evaluation.pk, state=EvaluationState.PLANNED)
                .first()
            )
            if fresh is None:
                continue
            fall_due(fresh)
            count += 1
    return count
