"""What action transitions do to the action's roles, inside the transition's transaction."""

from django.utils import timezone

from backend.actions.models import Action, RoleState
from workflows.services import effect, perform_transition


@effect(Action, "submit")
def invite_proposed_roles(action, *, actor, comment, source):
    """Opening the consultation invites every proposed role."""
    for role in action.roles.filter(state=RoleState.PROPOSED):
        invite_role(role, actor=actor)


def invite_role(role, *, actor):
    role = perform_transition(role, "invite", actor=actor, automatic=actor is None)
    role.invited_at = timezone.now()
    role.save(update_fields=["invited_at", "updated_at"])
    return role
