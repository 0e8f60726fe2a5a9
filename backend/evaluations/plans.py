"""An approved action gets its evaluation plan; a plan falling due moves the action to
evaluation; a validated report lets the action be closed."""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from backend.actions.models import Action, RoleKind, RoleState
from backend.evaluations.models import Evaluation, EvaluationState
from workflows.services import effect, perform_transition


def default_due_date(action: Action) -> datetime.date:
    """The planned end plus one month (a year after approval when no end is planned)."""
    end = action.planned_end or timezone.localdate() + datetime.timedelta(days=335)
    month, year = (end.month % 12) + 1, end.year + (end.month // 12)
    return datetime.date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


@effect(Action, "approve")
def plan_evaluation(action, *, actor, comment, source):
    pilot = (
        action.roles.filter(kind=RoleKind.PILOT, state=RoleState.ACCEPTED).order_by("id").first()
    )
    Evaluation.objects.get_or_create(
        action=action,
        defaults={
            "due_date": default_due_date(action),
            "reporting_role": pilot,
            "reporting_staff": action.social_worker,
        },
    )


@effect(Evaluation, "fall_due")
def action_goes_to_evaluation(evaluation, *, actor, comment, source):
    action = evaluation.action
    if action.state == "in_progress":
        perform_transition(action, "evaluate", actor=None, automatic=True)


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
            perform_transition(fresh, "fall_due", actor=None, automatic=True)
            count += 1
    return count
