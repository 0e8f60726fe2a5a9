"""An approved action gets its evaluation plan (its falling due: ``transitions``)."""

import calendar
import datetime

from django.utils import timezone

from backend.actions.models import Action, RoleKind, RoleState
from backend.evaluations.models import Evaluation


def default_due_date(action: Action) -> datetime.date:
    """The planned end plus one month (a year after approval when no end is planned)."""
    end = action.planned_end or timezone.localdate() + datetime.timedelta(days=335)
    month, year = (end.month % 12) + 1, end.year + (end.month // 12)
    return datetime.date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


def plan_evaluation(action: Action) -> Evaluation:
    """The approved action's evaluation: due a month after its planned end, reported by its
    accepted pilot partner and its social worker."""
    pilot = (
        action.roles.filter(kind=RoleKind.PILOT, state=RoleState.ACCEPTED).order_by("id").first()
    )
    evaluation, _ = Evaluation.objects.get_or_create(
        action=action,
        defaults={
            "due_date": default_due_date(action),
            "reporting_role": pilot,
            "reporting_staff": action.social_worker,
        },
    )
    return evaluation
