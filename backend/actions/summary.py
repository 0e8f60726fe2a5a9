"""Where an action's consultation stands, computed from its (prefetched) roles."""

from collections import Counter
from dataclasses import dataclass, fields

from django.utils import timezone

from backend.actions.models import Action, ActionState, RoleState


@dataclass(frozen=True)
class ConsultationSummary:
    total: int
    accepted: int
    pending: int
    declined: int
    changes_requested: int
    deadline: str | None
    days_left: int | None
    overdue: bool

    def as_dict(self) -> dict:
        # Not dataclasses.asdict: it deep-copies every value, and a list of actions asks this
        # of every action.
        return {field.name: getattr(self, field.name) for field in _FIELDS}


_FIELDS = fields(ConsultationSummary)


def consultation_summary(action: Action, today=None) -> ConsultationSummary:
    roles = [role for role in action.roles.all() if role.state != RoleState.WITHDRAWN]
    count = Counter(role.state for role in roles)
    deadline = action.consultation_deadline
    today = today or timezone.localdate()
    days_left = (deadline - today).days if deadline else None
    return ConsultationSummary(
        total=len(roles),
        accepted=count[RoleState.ACCEPTED],
        pending=count[RoleState.INVITED] + count[RoleState.PROPOSED],
        declined=count[RoleState.DECLINED],
        changes_requested=count[RoleState.CHANGES_REQUESTED],
        deadline=deadline.isoformat() if deadline else None,
        days_left=days_left,
        overdue=action.state == ActionState.CONSULTATION
        and days_left is not None
        and days_left < 0,
    )
